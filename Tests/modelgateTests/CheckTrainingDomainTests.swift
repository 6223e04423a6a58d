import Foundation
import TestSupport
import XCTest

/// `modelgate check` on models using the `ai.onnx.preview.training` domain, which onnx.checker
/// accepts: valid, and runnable by the reference executor (no executor-unsupported-op warning).
final class CheckTrainingDomainTests: XCTestCase {
    func testGradientModelsAreValidAndRunnable() throws {
        for name in ["test_gradient_of_add", "test_gradient_of_add_and_mul"] {
            let model = FixturePaths.onnxSuite.appendingPathComponent("simple/\(name)/model.onnx")
            guard FileManager.default.fileExists(atPath: model.path) else { throw FixtureError.missingSuite(model.path) }
            let result = try runProcess(modelgateExecutable, ["check", model.path])
            XCTAssertEqual(result.exitCode, 0, result.standardError)
            XCTAssertTrue(result.standardOutput.contains("valid — "), result.standardOutput)
            XCTAssertTrue(result.standardOutput.contains("0 errors, 0 warnings"), result.standardOutput)
        }
    }
}
