import Foundation
import Harness
@testable import Reports
import XCTest

/// `report.json`: round trip, deterministic bytes, plan order, refusal of other schemas.
final class ReportJSONTests: XCTestCase {
    func testRoundTripAndDeterminism() throws {
        let report = ReportFixtures.report()
        let data = try report.jsonData()
        XCTAssertEqual(data, try ReportFixtures.report().jsonData(), "same results, same bytes")
        let decoded = try Report.decode(data, file: "report.json")
        XCTAssertEqual(try decoded.jsonData(), data)
        XCTAssertEqual(decoded.cells.count, 9)
        let snr = try XCTUnwrap(decoded.cell(model: "mnist_cnn", path: "fp32")?.result.outputs.first?.snrDB)
        XCTAssertEqual(snr, .infinity)
        let nan = try XCTUnwrap(decoded.cell(model: "mnist_cnn", path: "int8-static")?.result.outputs.first)
        XCTAssertEqual(nan.nanCount, 1)
        XCTAssertEqual(nan.maxAbsError, .infinity)
    }

    func testSummaryVerdictsAndPlanOrder() throws {
        let report = ReportFixtures.report()
        XCTAssertEqual(report.summary.cells, 9)
        XCTAssertEqual(report.summary.passed, 6)
        XCTAssertEqual(report.summary.failed, 2)
        XCTAssertEqual(report.summary.errors, 1)
        XCTAssertFalse(report.passed)
        XCTAssertFalse(report.metadata.incomplete)
        XCTAssertEqual(report.cell(model: "resnet_tiny", path: "int8-static")?.verdict.status, .error)
        let failing = try XCTUnwrap(report.cell(model: "mnist_cnn", path: "int8-static"))
        XCTAssertEqual(failing.verdict.reasons, [
            "output 'probs': 1 NaN and 0 Inf (golden has 0 and 0)",
            "output 'probs': cosine 0.913622 < 0.99",
            "accuracy loss 25 points > 1 (50 % vs golden 75 %)",
        ])
        // Given out of order, cells come back in plan order.
        let shuffled = Report(metadata: report.metadata, cells: report.cells.reversed())
        XCTAssertEqual(shuffled.cells.map(\.key), ReportFixtures.plan().cells)
    }

    func testLatencyBudgetsDecideOnlyWhenTheRunGatesLatency() {
        var result = ReportFixtures.result(model: "mnist_cnn", path: "fp16")
        result.budget = Thresholds([.maxLatencyRatio: 1.1])
        let plan = CellPlan(cells: [result.key])
        var metadata = ReportFixtures.metadata(for: plan)
        XCTAssertEqual(Report(metadata: metadata, results: [result]).cells[0].verdict, .pass)
        metadata.latencyGated = true
        XCTAssertEqual(Report(metadata: metadata, results: [result]).cells[0].verdict.reasons, ["latency p50 1.24× fp32 > 1.1×"])
    }

    func testOtherSchemasAndDamagedFilesAreRefused() throws {
        XCTAssertThrowsError(try Report.decode(Data(#"{"schema": "modelgate.report/v2"}"#.utf8), file: "old.json")) { error in
            XCTAssertEqual(String(describing: error),
                           "old.json: report schema 'modelgate.report/v2' is not 'modelgate.report/v1', the one this version of ModelGate reads")
        }
        XCTAssertThrowsError(try Report.decode(Data("{\"schema\": \"modelgate.report/v1\", \"cells\": []}".utf8), file: "r.json")) { error in
            XCTAssertEqual(String(describing: error), "r.json: not a ModelGate report: missing field 'metadata' at the top level")
        }
        XCTAssertThrowsError(try Report.decode(Data("[1,".utf8), file: "r.json")) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("r.json: not a ModelGate report: not JSON"), "\(error)")
        }
        XCTAssertThrowsError(try Report.load(URL(fileURLWithPath: "/nonexistent/report.json"))) { error in
            XCTAssertEqual(String(describing: error), "/nonexistent/report.json: cannot read the report: no such file")
        }
    }

    func testMetadataFacts() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n"
        XCTAssertEqual(RunMetadata.cpuModel(cpuinfo: cpuinfo), "Intel(R) Xeon(R) CPU @ 2.20GHz")
        XCTAssertFalse(RunMetadata.cpuModel(cpuinfo: "").isEmpty)
        let date = Date(timeIntervalSince1970: 1_795_000_000)
        XCTAssertEqual(RunMetadata.runIdentifier(for: date), "20261118-110640")
        XCTAssertEqual(RunMetadata.timestamp(date), "2026-11-18T11:06:40Z")
        let plan = ReportFixtures.plan().sharded(try! Shard(index: 1, count: 2))
        var metadata = RunMetadata.current(plan: plan, corpusPath: "Golden", manifestDigest: "d", startedAt: date,
                                           repository: FileManager.default.temporaryDirectory)
        XCTAssertEqual(metadata.runId, "20261118-110640-shard1of2")
        XCTAssertTrue(metadata.incomplete)
        XCTAssertEqual(metadata.plannedCells, 9)
        XCTAssertEqual(metadata.models, ReportFixtures.models)
        metadata.finish(at: date.addingTimeInterval(12))
        XCTAssertEqual(metadata.durationSeconds, 12)
        XCTAssertEqual(metadata.finishedAt, "2026-11-18T11:06:52Z")
    }
}
