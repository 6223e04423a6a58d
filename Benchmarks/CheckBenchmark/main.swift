import Foundation
import GraphChecker
import ModelFormats
import ModelIR

/// Times `modelgate check`'s work in-process: loading the model, the first check (which parses the
/// schema table) and the median of further checks.
///
/// Usage: swift run -c release check-benchmark MODEL [ITERATIONS]
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: check-benchmark MODEL [ITERATIONS]\n".utf8))
    exit(2)
}
let url = URL(fileURLWithPath: arguments[1])
let iterations = arguments.count > 2 ? Int(arguments[2]) ?? 50 : 50

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
}

do {
    var model: Model? = nil
    let load = try milliseconds { model = try ONNXModelFile.load(url) }
    guard let model else { exit(1) }
    let schemas = milliseconds { _ = OpSchemaRegistry.standard.schema("Conv", domain: "", opsetVersion: 9) }
    var valid = false
    let first = milliseconds { valid = GraphChecker().check(model).isValid }
    var loads: [Double] = []
    var checks: [Double] = []
    for _ in 0..<iterations {
        loads.append(try milliseconds { _ = try ONNXModelFile.load(url) })
        checks.append(milliseconds { _ = GraphChecker().check(model) })
    }
    let median = { (values: [Double]) in values.sorted()[values.count / 2] }
    print(String(format: "%@: %@, %d nodes", url.lastPathComponent, valid ? "valid" : "invalid", model.graph.nodes.count))
    print(String(format: "first load %.2f ms, schema table %.2f ms, first check %.2f ms", load, schemas, first))
    print(String(format: "median of %d: load %.2f ms, check %.2f ms, load + check %.2f ms",
                 iterations, median(loads), median(checks), median(zip(loads, checks).map { $0 + $1 })))
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
