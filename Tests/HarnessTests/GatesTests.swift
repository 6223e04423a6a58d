import GraphChecker
@testable import Harness
import XCTest

/// Verdicts from metrics and thresholds.
final class GatesTests: XCTestCase {
    private func output(_ actual: [Double], _ golden: [Double], _ thresholds: Thresholds) throws -> OutputMetrics {
        try OutputComparator.compare(name: "y", actual: actual, golden: golden, shape: [actual.count], thresholds: thresholds)
    }

    func testPassWhenEveryGateHolds() throws {
        let result = CellResult(model: "m", path: "fp32",
                                outputs: [try output([1, 2.00001], [1, 2], Thresholds([.rtol: 1e-4, .atol: 1e-5, .minCosine: 0.999]))],
                                accuracy: AccuracyMetrics(output: "y", samples: 100, goldenAccuracy: 0.9, accuracy: 0.9),
                                size: SizeMetrics(bytes: 100, fp32Bytes: 100),
                                budget: Thresholds([.maxAccuracyLoss: 0.01, .maxSizeRatio: 1.0]))
        XCTAssertEqual(Gates().verdict(for: result), .pass)
    }

    func testEachFailingGateGivesAReason() throws {
        let metrics = try output([1.5, 2, .nan], [1, 2, 3], Thresholds([.rtol: 1e-3, .atol: 1e-3, .minCosine: 0.9999, .minSNRdB: 40, .maxAbsError: 0.1]))
        let result = CellResult(model: "m", path: "int8-static",
                                findings: [Finding(level: .error, code: "undefined-input", node: "n1", message: "x"),
                                           Finding(level: .warning, code: "unused-initializer", message: "y")],
                                outputs: [metrics],
                                accuracy: AccuracyMetrics(output: "y", samples: 100, goldenAccuracy: 0.9, accuracy: 0.87),
                                size: SizeMetrics(bytes: 600, fp32Bytes: 1000),
                                latency: LatencyMetrics(warmupRuns: 1, runs: 10, p50Ms: 3, p90Ms: 4, meanMs: 3, fp32P50Ms: 2),
                                budget: Thresholds([.maxAccuracyLoss: 0.01, .maxRelativeAccuracyLoss: 0.02, .maxSizeRatio: 0.5,
                                                    .maxSizeBytes: 500, .maxLatencyRatio: 1.2, .maxLatencyP50Ms: 2.5]))
        let verdict = Gates().verdict(for: result)
        XCTAssertEqual(verdict.status, .fail)
        XCTAssertEqual(verdict.reasons, [
            "check: 1 error (undefined-input at node 'n1')",
            "output 'y': 1 NaN and 0 Inf (golden has 0 and 0)",
            "output 'y': 2 of 3 elements (66.67 %) outside rtol=0.001, atol=0.001; max abs error inf, passes with atol ≥ inf",
            "output 'y': max abs error inf > 0.1",
            // Cosine and SNR over the finite pairs (1.5, 1), (2, 2): 5.5 / (2.5·√5) and 10·log10(5 / 0.25).
            "output 'y': cosine 0.98387 < 0.9999",
            "output 'y': SNR 13.01 dB < 40 dB",
            "accuracy loss 3 points > 1 (87 % vs golden 90 %)",
            "relative accuracy loss 3.333 % > 2 %",
            "size 0.6× fp32 > 0.5×",
            "size 600 bytes > 500 bytes",
        ])
        // Latency gates only when asked for.
        let timed = Gates(latency: true).verdict(for: result)
        XCTAssertEqual(Array(timed.reasons.suffix(2)), ["latency p50 1.5× fp32 > 1.2×", "latency p50 3 ms > 2.5 ms"])
    }

    func testMismatchFractionBudget() throws {
        let metrics = try output([1, 2, 3, 5], [1, 2, 3, 4], Thresholds([.rtol: 0, .atol: 0.1, .maxMismatchFraction: 0.25]))
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "m", path: "fp16", outputs: [metrics])), .pass)
        let strict = try output([1, 2, 3, 5], [1, 2, 3, 4], Thresholds([.rtol: 0, .atol: 0.1, .maxMismatchFraction: 0.2]))
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "m", path: "fp16", outputs: [strict])).status, .fail)
    }

    func testStageErrorAndNothingCompared() {
        let failed = CellResult(model: "m", path: "int8-static", error: CellError(stage: .convert, message: "no calibration.h5 for model 'm'"))
        XCTAssertEqual(Gates().verdict(for: failed), Verdict(status: .error, reasons: ["convert: no calibration.h5 for model 'm'"]))
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "m", path: "fp32")).status, .error)
        XCTAssertTrue(Verdict(status: .error).isFailure)
        XCTAssertFalse(Verdict.pass.isFailure)
    }

    func testFormatting() {
        XCTAssertEqual(Gates.number(0.000123456), "0.000123")
        XCTAssertEqual(Gates.number(.infinity), "inf")
        XCTAssertEqual(Gates.percent(0.125), "12.5 %")
        XCTAssertEqual(Gates.points(0.012), "1.2")
    }
}
