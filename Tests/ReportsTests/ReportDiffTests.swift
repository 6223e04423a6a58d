import Foundation
import Harness
@testable import Reports
import XCTest

/// Regression verdicts between two reports.
final class ReportDiffTests: XCTestCase {
    private func cell(_ model: String, _ path: String, _ status: Verdict.Status, loss: Double? = nil, bytes: Int? = nil, p50: Double? = nil) -> Report.Cell {
        var result = CellResult(model: model, path: path)
        result.accuracy = loss.map { AccuracyMetrics(output: "y", samples: 1000, goldenAccuracy: 0.9, accuracy: 0.9 - $0) }
        result.size = bytes.map { SizeMetrics(bytes: $0, fp32Bytes: 1000) }
        result.latency = p50.map { LatencyMetrics(warmupRuns: 1, runs: 10, p50Ms: $0, p90Ms: $0, meanMs: $0) }
        return Report.Cell(result: result, verdict: Verdict(status: status, reasons: status == .pass ? [] : ["\(status.rawValue) reason"]))
    }

    private func report(_ cells: [Report.Cell], digest: String = "d") -> Report {
        let plan = CellPlan(cells: cells.map(\.key))
        return Report(metadata: ReportFixtures.metadata(for: plan, digest: digest), cells: cells)
    }

    func testVerdictChangesAndThresholds() throws {
        let old = report([
            cell("a", "fp32", .pass, loss: 0, bytes: 1000, p50: 2),
            cell("a", "int8", .pass, loss: 0.010, bytes: 260, p50: 1),
            cell("b", "fp32", .fail),
            cell("b", "int8", .fail),
            cell("c", "fp32", .pass, loss: 0.002, bytes: 1000, p50: 2),
            cell("d", "fp32", .pass),
        ])
        let new = report([
            cell("a", "fp32", .pass, loss: 0, bytes: 1010, p50: 2.3),     // size +1 % (not more), latency +15 %
            cell("a", "int8", .pass, loss: 0.0160, bytes: 263, p50: 1),   // loss +0.6 points, size +1.15 %
            cell("b", "fp32", .pass),                                    // fixed
            cell("b", "int8", .error),                                   // still failing
            cell("c", "fp32", .fail, loss: 0.006, bytes: 1000, p50: 2),  // new failure; loss +0.4 points only
            cell("e", "fp32", .fail),                                    // new cell, failing
            cell("f", "fp32", .pass),                                    // new cell, passing
        ])
        let diff = try ReportDiff(old: old, new: new)
        let summary = diff.changes.map { "\($0.kind.rawValue) \($0.model)×\($0.path)" }
        XCTAssertEqual(summary, [
            "accuracy-loss a×int8", "size-increase a×int8", "fixed b×fp32", "still-failing b×int8",
            "new-failure c×fp32", "new-failure e×fp32", "added f×fp32", "removed d×fp32",
        ])
        XCTAssertEqual(diff.regressions, 4)
        XCTAssertTrue(diff.hasRegressions)
        XCTAssertEqual(diff.changes[0].detail, "accuracy loss worse by 0.60 points (threshold 0.5)")
        XCTAssertEqual(diff.changes[1].detail, "size up 1.15 % (threshold 1 %)")
        XCTAssertEqual(diff.changes[1].old, "260 B")

        let timed = try ReportDiff(old: old, new: new, options: .init(latency: true))
        XCTAssertEqual(timed.regressions, 5)
        let latency = try XCTUnwrap(timed.changes.first { $0.kind == .latencyIncrease })
        XCTAssertEqual("\(latency.model)×\(latency.path)", "a×fp32")
        XCTAssertEqual(latency.detail, "latency p50 up 15.0 % (threshold 10 %)")
    }

    func testNoRegressionsAndText() throws {
        let old = report([cell("a", "fp32", .fail), cell("a", "fp16", .pass, loss: 0.01, bytes: 500)])
        let new = report([cell("a", "fp32", .pass), cell("a", "fp16", .pass, loss: 0.012, bytes: 504)])
        let diff = try ReportDiff(old: old, new: new, oldName: "base.json", newName: "head.json")
        XCTAssertFalse(diff.hasRegressions)
        XCTAssertEqual(diff.text, """
            change  cell      old   new   detail
            fixed   a × fp32  fail  pass  fail reason
            0 regressions, 1 fixed

            """)
        let broken = try ReportDiff(old: new, new: old)
        XCTAssertTrue(broken.text.contains("REGRESSION  new-failure  a × fp32  pass  fail  fail reason"), broken.text)
        let same = try ReportDiff(old: new, new: new, oldName: "base.json", newName: "head.json")
        XCTAssertEqual(same.text, "no changes between base.json and head.json\n0 regressions\n")
        let json = try JSONSerialization.jsonObject(with: diff.jsonData()) as? [String: Any]
        XCTAssertEqual(json?["regressions"] as? Int, 0)
        XCTAssertEqual((json?["changes"] as? [[String: Any]])?.first?["kind"] as? String, "fixed")
    }

    func testDifferentCorporaAreRefused() {
        var other = report([cell("a", "fp32", .pass)], digest: "other")
        other.metadata.corpus.path = "Elsewhere"
        XCTAssertThrowsError(try ReportDiff(old: report([cell("a", "fp32", .pass)]), new: other, oldName: "a.json", newName: "b.json")) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("a.json covers corpus 'Golden' (manifest d) but b.json covers 'Elsewhere'"), "\(error)")
        }
    }
}
