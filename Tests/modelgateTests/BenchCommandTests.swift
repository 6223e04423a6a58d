import Foundation
import TestSupport
import XCTest

/// `modelgate bench`: the JSON object's percentiles and peak memory, the per-kernel profile, and
/// the one-line errors for a missing model and bad options.
final class BenchCommandTests: XCTestCase {
    private let simplenet = FixturePaths.repositoryRoot.appendingPathComponent("Golden/simplenet/model.onnx").path

    private func benchJSON(_ arguments: [String]) throws -> [String: Any] {
        let result = try runProcess(modelgateExecutable, ["bench", simplenet, "--json"] + arguments)
        XCTAssertEqual(result.exitCode, 0, result.standardError)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    func testJSONReportsOrderedPercentilesAndPeakMemory() throws {
        let object = try benchJSON(["--iterations", "20", "--warmup", "2", "--threads", "2"])
        let p50 = try XCTUnwrap(object["p50_ms"] as? Double), p90 = try XCTUnwrap(object["p90_ms"] as? Double)
        let p99 = try XCTUnwrap(object["p99_ms"] as? Double)
        XCTAssertGreaterThan(p50, 0)
        XCTAssertLessThanOrEqual(p50, p90)
        XCTAssertLessThanOrEqual(p90, p99)
        XCTAssertGreaterThan(try XCTUnwrap(object["peak_rss_bytes"] as? Int), 1 << 20)
        XCTAssertEqual(object["threads"] as? Int, 2)
        XCTAssertEqual(object["iterations"] as? Int, 20)
        XCTAssertNil(object["profile"])
    }

    /// simplenet's plan is Gemm → Relu → Gemm: two FastGemm steps and one FastUnary step.
    func testProfileCountsEveryStepOfThePlanUnderItsKernel() throws {
        let object = try benchJSON(["--iterations", "5", "--profile"])
        let rows = try XCTUnwrap(object["profile"] as? [[String: Any]])
        var steps: [String: Int] = [:]
        for row in rows {
            let kernel = try XCTUnwrap(row["kernel"] as? String)
            steps[kernel] = try XCTUnwrap(row["steps"] as? Int)
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(row["ms_per_run"] as? Double), 0)
        }
        XCTAssertEqual(steps, ["FastGemm (Gemm)": 2, "FastUnary (Relu)": 1])

        let text = try runProcess(modelgateExecutable, ["bench", simplenet, "--iterations", "5", "--profile"])
        XCTAssertEqual(text.exitCode, 0, text.standardError)
        XCTAssertTrue(text.standardOutput.contains("in 3 steps:"), text.standardOutput)
        XCTAssertTrue(text.standardOutput.contains("slowest steps:"), text.standardOutput)
    }

    func testMissingModelAndBadOptionsFailInOneLine() throws {
        let missing = try runProcess(modelgateExecutable, ["bench", "/nonexistent/model.onnx"])
        XCTAssertEqual(missing.exitCode, 1)
        XCTAssertTrue(missing.standardError.contains("/nonexistent/model.onnx"), missing.standardError)
        XCTAssertFalse(missing.wasSignalled)
        let zero = try runProcess(modelgateExecutable, ["bench", simplenet, "--iterations", "0"])
        XCTAssertEqual(zero.exitCode, 2)
        XCTAssertTrue(zero.standardError.contains("--iterations must be at least 1"), zero.standardError)
    }
}
