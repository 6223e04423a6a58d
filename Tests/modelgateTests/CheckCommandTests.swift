import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// `modelgate check`: verdicts, findings that name the node, JSON output and exit codes.
final class CheckCommandTests: XCTestCase {
    private var resnet: URL { FixturePaths.onnxSuite.appendingPathComponent("light/light_resnet50/model.onnx") }
    private var relu: URL { FixturePaths.onnxSuite.appendingPathComponent("node/test_relu/model.onnx") }

    func testValidModelExitsZeroWithWarningsListed() throws {
        guard FileManager.default.fileExists(atPath: resnet.path) else { throw FixtureError.missingSuite(resnet.path) }
        let result = try runProcess(modelgateExecutable, ["check", resnet.path])
        XCTAssertEqual(result.exitCode, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("valid — 415 nodes, 0 errors, 1 warning"), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("warning [unused-initializer]"), result.standardOutput)
    }

    func testInvalidModelExitsOneAndJSONNamesTheFailingNode() throws {
        guard FileManager.default.fileExists(atPath: relu.path) else { throw FixtureError.missingSuite(relu.path) }
        var model = try ONNXModelFile.load(relu)
        model.graph.nodes[0].name = "the_relu"
        model.graph.nodes[0].inputs = ["nowhere"]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: url) }
        try ONNXModelFile.save(model, to: url)

        let text = try runProcess(modelgateExecutable, ["check", url.path])
        XCTAssertEqual(text.exitCode, 1)
        XCTAssertTrue(text.standardOutput.contains("INVALID"), text.standardOutput)
        XCTAssertTrue(text.standardOutput.contains("error [undefined-input] input 'nowhere' of node 'the_relu' (Relu)"), text.standardOutput)
        XCTAssertTrue(text.standardError.contains("invalid model (1 error)"), text.standardError)

        let json = try runProcess(modelgateExecutable, ["check", "--json", url.path])
        XCTAssertEqual(json.exitCode, 1)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(object["valid"] as? Bool, false)
        XCTAssertEqual(object["schema"] as? String, "modelgate.check/v1")
        let summary = try XCTUnwrap(object["summary"] as? [String: Any])
        XCTAssertEqual(summary["failing"] as? [String], ["the_relu"])
        XCTAssertEqual(summary["passing"] as? [String], [])
        XCTAssertEqual(summary["errors"] as? Int, 1)
        let findings = try XCTUnwrap(object["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.first?["code"] as? String, "undefined-input")
        XCTAssertEqual(findings.first?["node"] as? String, "the_relu")
        XCTAssertEqual(findings.first?["op"] as? String, "Relu")
        XCTAssertEqual(findings.first?["level"] as? String, "error")
    }

    func testUnreadableModelExitsOneAndMissingArgumentExitsTwo() throws {
        let damaged = FileManager.default.temporaryDirectory.appendingPathComponent("damaged-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: damaged) }
        try Data([0x08, 0x07, 0x12, 0xff]).write(to: damaged)
        let result = try runProcess(modelgateExecutable, ["check", damaged.path])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        XCTAssertTrue(result.standardError.contains(damaged.path), result.standardError)

        let json = try runProcess(modelgateExecutable, ["check", "--json", damaged.path])
        XCTAssertEqual(json.exitCode, 1)
        XCTAssertTrue(json.standardOutput.contains("\"unreadable-model\""), json.standardOutput)

        XCTAssertEqual(try runProcess(modelgateExecutable, ["check"]).exitCode, 2)
        XCTAssertEqual(try runProcess(modelgateExecutable, ["check", "--bogus", damaged.path]).exitCode, 2)
    }
}
