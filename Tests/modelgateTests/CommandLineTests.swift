import Foundation
import TestSupport
import XCTest

/// The `modelgate` executable as a user meets it: output, exit codes and error messages.
final class CommandLineTests: XCTestCase {
    private var resnet: URL { FixturePaths.onnxSuite.appendingPathComponent("light/light_resnet50/model.onnx") }

    func testInspectShowsOpsetsIOHistogramParametersAndSize() throws {
        guard FileManager.default.fileExists(atPath: resnet.path) else { throw FixtureError.missingSuite(resnet.path) }
        let result = try runProcess(modelgateExecutable, ["inspect", resnet.path])
        XCTAssertEqual(result.exitCode, 0, result.standardError)
        let text = result.standardOutput
        XCTAssertTrue(text.contains("opsets:      ai.onnx 9"), text)
        XCTAssertTrue(text.contains("gpu_0/data_0  float [1, 3, 224, 224]"), text)
        XCTAssertTrue(text.contains("gpu_0/softmax_1  float [1, 1000]"), text)
        XCTAssertTrue(text.contains("file size:   79,770 bytes"), text)

        let json = try runProcess(modelgateExecutable, ["inspect", "--json", resnet.path])
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        // Counted with onnx.load(...) and collections.Counter(node.op_type for node in model.graph.node).
        let expected = ["ConstantOfShape": 239, "Conv": 53, "BatchNormalization": 53, "Relu": 49, "Sum": 16,
                        "MaxPool": 1, "AveragePool": 1, "Reshape": 1, "Gemm": 1, "Softmax": 1]
        XCTAssertEqual(summary["operators"] as? [String: Int], expected)
        XCTAssertEqual(summary["nodeCount"] as? Int, 415)
        XCTAssertEqual(summary["fileBytes"] as? Int, 79_770)
        // ResNet-50: 25,557,032 weights and biases plus 53,120 batch-norm running statistics.
        XCTAssertEqual(summary["parameterCount"] as? Int, 25_610_152 + 3)
    }

    func testDamagedModelGivesOneLineErrorAndExitOne() throws {
        guard FileManager.default.fileExists(atPath: resnet.path) else { throw FixtureError.missingSuite(resnet.path) }
        let damaged = FileManager.default.temporaryDirectory.appendingPathComponent("damaged-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: damaged) }
        try Data(contentsOf: resnet).prefix(1_000).write(to: damaged)
        for command in [["inspect"], ["convert"]] {
            let arguments = command + [damaged.path] + (command == ["convert"] ? [damaged.path + ".out.onnx"] : [])
            let result = try runProcess(modelgateExecutable, arguments)
            XCTAssertEqual(result.exitCode, 1, "\(command): \(result.standardError)")
            XCTAssertFalse(result.wasSignalled)
            let lines = result.standardError.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, result.standardError)
            XCTAssertTrue(result.standardError.contains(damaged.path), result.standardError)
            XCTAssertTrue(result.standardError.contains("truncated"), result.standardError)
        }
    }

    func testConvertRoundTripsAnONNXModel() throws {
        guard FileManager.default.fileExists(atPath: resnet.path) else { throw FixtureError.missingSuite(resnet.path) }
        let first = FileManager.default.temporaryDirectory.appendingPathComponent("convert-\(UUID().uuidString).onnx")
        let second = first.deletingPathExtension().appendingPathExtension("2.onnx")
        defer { try? FileManager.default.removeItem(at: first); try? FileManager.default.removeItem(at: second) }
        XCTAssertEqual(try runProcess(modelgateExecutable, ["convert", resnet.path, first.path]).exitCode, 0)
        XCTAssertEqual(try runProcess(modelgateExecutable, ["convert", first.path, second.path]).exitCode, 0)
        XCTAssertEqual(try Data(contentsOf: first), try Data(contentsOf: second))
        let refused = try runProcess(modelgateExecutable, ["convert", first.path, first.path])
        XCTAssertEqual(refused.exitCode, 2)
    }

    func testUsageErrorsAndUnavailableCommandsExitTwo() throws {
        let missing = try runProcess(modelgateExecutable, ["inspect"])
        XCTAssertEqual(missing.exitCode, 2)
        XCTAssertTrue(missing.standardError.contains("Missing expected argument"), missing.standardError)
        let unknown = try runProcess(modelgateExecutable, ["frobnicate"])
        XCTAssertEqual(unknown.exitCode, 2)
        let help = try runProcess(modelgateExecutable, ["--help"])
        XCTAssertEqual(help.exitCode, 0)
        for command in ["inspect", "convert", "check", "run", "conformance", "bench", "diff", "exec", "golden", "optimize"] {
            XCTAssertTrue(help.standardOutput.contains(command), "help lists \(command)")
        }
    }
}
