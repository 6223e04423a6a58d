import Executor
import Foundation
import GraphChecker
import Harness
import ModelFormats
import TestSupport
import ModelIR
import Passes
import XCTest

/// Tiny models for pass tests, with deterministic pseudo-random weights.
struct ModelBuilder {
    var nodes: [Node] = []
    var initializers: [Tensor] = []
    var inputs: [ValueInfo] = []
    var outputs: [ValueInfo] = []
    var opset: Int64 = 17
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Uniform values in [low, high).
    mutating func random(_ count: Int, in low: Float = -1, _ high: Float = 1) -> [Float] {
        (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return low + (high - low) * Float(state >> 40) / Float(1 << 24)
        }
    }

    @discardableResult
    mutating func weight(_ name: String, _ shape: [Int], in low: Float = -1, _ high: Float = 1) -> String {
        let values = random(shape.reduce(1, *), in: low, high)
        initializers.append(try! Tensor(name: name, shape: shape, scalars: values))
        return name
    }

    mutating func constant(_ name: String, _ shape: [Int], _ values: [Float]) {
        initializers.append(try! Tensor(name: name, shape: shape, scalars: values))
    }

    mutating func input(_ name: String, _ shape: [Int], _ type: DataType = .float) {
        inputs.append(ValueInfo(name: name, elementType: type, shape: TensorShape(fixed: shape)))
    }

    mutating func output(_ name: String, _ type: DataType = .float) {
        outputs.append(ValueInfo(name: name, elementType: type, shape: nil))
    }

    mutating func node(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [String: AttributeValue] = [:], name: String = "") {
        nodes.append(Node(name: name.isEmpty ? "\(op)_\(nodes.count)" : name, opType: op, inputs: inputs, outputs: outputs,
                          attributes: attributes.sorted { $0.key < $1.key }.map { Attribute(name: $0.key, value: $0.value) }))
    }

    /// The model, its outputs typed by shape inference so that it passes the checker.
    var model: Model {
        var model = Model(irVersion: 8, opsetImports: [OpsetImport(domain: "", version: opset)],
                          graph: Graph(name: "test", nodes: nodes, initializers: initializers, inputs: inputs,
                                       outputs: outputs.map { ValueInfo(name: $0.name) }))
        var unlisted = model
        unlisted.graph.outputs = []
        let inferred = GraphChecker(lint: false).inferringShapes(of: unlisted).graph.valueInfo
        for index in model.graph.outputs.indices {
            let name = model.graph.outputs[index].name
            if outputs[index].type?.type.tensorType?.shape == nil {
                model.graph.outputs[index].type = inferred.first { $0.name == name }?.type ?? outputs[index].type
            } else {
                model.graph.outputs[index].type = outputs[index].type
            }
        }
        return model
    }
}

/// Runs a path with per-pass verification on.
func optimize(_ model: Model, path: String, options: [String: String] = [:],
              calibration: [String: Tensor]? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> (model: Model, findings: [Finding]) {
    assertValid(model, file: file, line: line)
    let optimizer = ModelOptimizer(path: try OptimizationPath(parsing: path), options: PassOptions(options),
                                   calibrationSamples: calibration, verifiesEachPass: true)
    let optimized = try optimizer.optimize(model)
    return (optimized.model, optimized.findings)
}

/// The first output of `model` on `feeds`, as floats.
func evaluate(_ model: Model, _ feeds: [String: Tensor]) throws -> [Float] {
    let result = try Evaluator(model: model).run(tensors: feeds)
    guard let tensor = result.outputs.first?.value.tensor else { throw XCTSkip("no tensor output") }
    return try tensor.floatValues()
}

func floats(_ builder: inout ModelBuilder, _ name: String, _ shape: [Int]) -> Tensor {
    try! Tensor(name: name, shape: shape, scalars: builder.random(shape.reduce(1, *)))
}

func count(_ op: String, in model: Model) -> Int {
    model.graph.nodes.filter { $0.opType == op }.count
}

func assertValid(_ model: Model, file: StaticString = #filePath, line: UInt = #line) {
    let report = GraphChecker(lint: false).check(model)
    XCTAssertTrue(report.isValid, report.errors.map(\.message).joined(separator: "; "), file: file, line: line)
}

/// True when the CPU has VNNI. Without it ONNX Runtime's uint8 × int8 kernels add pairs of products
/// in 16 bits, which saturate (its quantization guide's reason for `reduce_range`), so its results on
/// integer models are no reference there and only its running the file is checked.
let cpuHasVNNI = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains("vnni")

/// ModelGate's executor runs `optimized` within `maxError` of `reference` on `inputs`, and ONNX
/// Runtime does too where its integer kernels are exact (`cpuHasVNNI`; elsewhere it only has to run it).
func assertIntegerModelClose(reference: Model, optimized: Model, maxError: Double, inputs: [String: Tensor],
                             file: StaticString = #filePath, line: UInt = #line) throws {
    let expected = try Evaluator(model: reference).run(tensors: inputs).outputs
    let actual = try Evaluator(model: optimized).run(tensors: inputs).outputs
    XCTAssertEqual(actual.count, expected.count, file: file, line: line)
    for (a, e) in zip(actual, expected) {
        let got = try a.value.tensor?.floatValues() ?? [], want = try e.value.tensor?.floatValues() ?? []
        XCTAssertEqual(got.count, want.count, a.name, file: file, line: line)
        XCTAssertLessThanOrEqual(Double(zip(got, want).map { abs($0 - $1) }.max() ?? .infinity), maxError, a.name, file: file, line: line)
    }
    _ = try ortCompare(reference: reference, optimized: optimized, maxError: cpuHasVNNI ? maxError : .infinity, inputs: inputs)
}

/// Runs `Benchmarks/optimize_check.py` (ONNX Runtime) on a reference and an optimized model with
/// random inputs and returns its report; skips when the tools venv or onnxruntime is missing.
func ortCompare(reference: Model, optimized: Model, maxError: Double, inputs: [String: Tensor]? = nil) throws -> String {
    guard let python = FixturePaths.python else { throw XCTSkip("tools venv missing: source Tools/python-env.sh") }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("passes-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let referenceURL = folder.appendingPathComponent("reference.onnx")
    let optimizedURL = folder.appendingPathComponent("optimized.onnx")
    try ONNXModelFile.save(reference, to: referenceURL)
    try ONNXModelFile.save(optimized, to: optimizedURL)
    let script = FixturePaths.repositoryRoot.appendingPathComponent("Benchmarks/optimize_check.py")
    var extra: [String] = []
    if let inputs {
        let golden = folder.appendingPathComponent("inputs.h5")
        try HDF5TensorFile.write(Dictionary(uniqueKeysWithValues: inputs.map { ("inputs/\($0.key)", $0.value) }), to: golden)
        extra = ["--golden", golden.path]
    }
    let process = Process()
    process.executableURL = python
    process.arguments = [script.path, "--reference", referenceURL.path, "--max-error", String(maxError)] + extra + [optimizedURL.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    if text.contains("No module named 'onnxruntime'") { throw XCTSkip("onnxruntime missing: source Tools/python-env.sh") }
    XCTAssertEqual(process.terminationStatus, 0, text)
    return text
}
