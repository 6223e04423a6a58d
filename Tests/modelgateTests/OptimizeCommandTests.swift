import Foundation
import TestSupport
import XCTest

/// `modelgate optimize` as a user meets it.
final class OptimizeCommandTests: XCTestCase {
    private var squeezenet: URL { FixturePaths.onnxSuite.appendingPathComponent("light/light_squeezenet/model.onnx") }

    func testPathsWriteCheckedModelsAndBadPathsExitTwo() throws {
        guard FileManager.default.fileExists(atPath: squeezenet.path) else { throw FixtureError.missingSuite(squeezenet.path) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optimize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for path in ["fused", "fp16", "prune-50"] {
            let output = folder.appendingPathComponent("\(path).onnx")
            let result = try runProcess(modelgateExecutable, ["optimize", squeezenet.path, output.path, "--path", path])
            XCTAssertEqual(result.exitCode, 0, result.standardError)
            XCTAssertTrue(result.standardOutput.contains("\(path) — 105 →"), result.standardOutput)
            let check = try runProcess(modelgateExecutable, ["check", output.path])
            XCTAssertEqual(check.exitCode, 0, check.standardOutput)
        }
        let unknown = try runProcess(modelgateExecutable, ["optimize", squeezenet.path, folder.appendingPathComponent("x.onnx").path, "--path", "int3"])
        XCTAssertEqual(unknown.exitCode, 2)
        XCTAssertTrue(unknown.standardError.contains("known paths"), unknown.standardError)
        let badOption = try runProcess(modelgateExecutable, ["optimize", squeezenet.path, folder.appendingPathComponent("x.onnx").path,
                                                             "--path", "fused", "--option", "oops"])
        XCTAssertEqual(badOption.exitCode, 2)
        let uncalibrated = try runProcess(modelgateExecutable, ["optimize", squeezenet.path, folder.appendingPathComponent("q.onnx").path,
                                                                "--path", "int8-static"])
        XCTAssertEqual(uncalibrated.exitCode, 1)
        XCTAssertTrue(uncalibrated.standardError.contains("needs calibration data"), uncalibrated.standardError)
    }
}
