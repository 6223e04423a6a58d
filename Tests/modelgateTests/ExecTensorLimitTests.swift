import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// `exec` refuses a model that asks for a 10¹²-element tensor before allocating it: exit 1 and one
/// line naming the node and the limit, under an 8 GB address-space limit (`ulimit -v 8000000`).
final class ExecTensorLimitTests: XCTestCase {
    private static let hugeShape: [Int64] = [1_000_000, 1_000_000]

    private func execUnderMemoryLimit(_ nodes: [Node], initializers: [Tensor]) throws -> (ProcessResult, URL) {
        if Sanitizers.areActive {
            throw XCTSkip("a sanitizer reserves terabytes of shadow address space at start, which ulimit -v forbids")
        }
        let folder = try TemporaryDirectory()
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("x", .float, [1])],
                                       outputs: [GraphBuilder.value("y", .float, nil)], initializers: initializers, opset: 17)
        let modelURL = folder.file("huge.onnx")
        try ONNXModelFile.save(model, to: modelURL)
        let inputs = folder.file("inputs")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        try TensorProtoFile.save(GraphBuilder.tensor("x", [1], [1]), to: inputs.appendingPathComponent("input_0.pb"))
        let outputs = folder.file("outputs")
        let command = "ulimit -v 8000000 && exec '\(modelgateExecutable.path)' exec '\(modelURL.path)' --inputs '\(inputs.path)' --outputs '\(outputs.path)'"
        let result = try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", command], timeout: 120)
        let written = (try? FileManager.default.contentsOfDirectory(atPath: outputs.path)) ?? []
        XCTAssertEqual(written, [], "no output may be written")
        return (result, modelURL)
    }

    func testConstantOfShapeOf10To12ElementsIsRefused() throws {
        let nodes = [Node(name: "make_huge", opType: "ConstantOfShape", inputs: ["huge_shape"], outputs: ["huge"]),
                     Node(name: "add", opType: "Add", inputs: ["huge", "x"], outputs: ["y"])]
        let (result, model) = try execUnderMemoryLimit(nodes, initializers: [GraphBuilder.int64s("huge_shape", Self.hugeShape)])
        assertRefusedInOneLine(result, model: model, node: "make_huge", op: "ConstantOfShape")
    }

    func testExpandTo10To12ElementsIsRefused() throws {
        let nodes = [Node(name: "expand_huge", opType: "Expand", inputs: ["x", "huge_shape"], outputs: ["y"])]
        let (result, model) = try execUnderMemoryLimit(nodes, initializers: [GraphBuilder.int64s("huge_shape", Self.hugeShape)])
        assertRefusedInOneLine(result, model: model, node: "expand_huge", op: "Expand")
    }

    /// Exit 1 without a signal and one line naming the model file, the node, its op, the element
    /// count and the executor's limit.
    private func assertRefusedInOneLine(_ result: ProcessResult, model: URL, node: String, op: String,
                                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.wasSignalled, result.standardError, file: file, line: line)
        XCTAssertEqual(result.exitCode, 1, result.standardError, file: file, line: line)
        let lines = result.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.standardError, file: file, line: line)
        let message = String(lines.first ?? "")
        for part in ["error: \(model.path)", node, op, "1000000000000 elements", "limit of 8589934592"] {
            XCTAssertTrue(message.contains(part), "'\(message)' does not mention '\(part)'", file: file, line: line)
        }
    }
}
