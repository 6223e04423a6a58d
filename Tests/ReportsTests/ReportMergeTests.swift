import Foundation
import Harness
@testable import Reports
import XCTest

/// Merging shard reports gives the unsharded report, apart from timings and shard bookkeeping.
final class ReportMergeTests: XCTestCase {
    /// The report with run timings and shard bookkeeping blanked, as JSON.
    private func normalized(_ report: Report) throws -> String {
        var report = report
        report.metadata.runId = ""
        report.metadata.startedAt = ""
        report.metadata.finishedAt = nil
        report.metadata.durationSeconds = 0
        report.metadata.shard = nil
        report.metadata.mergedShards = nil
        for index in report.cells.indices { report.cells[index].result.durationSeconds = 0 }
        return String(decoding: try report.jsonData(), as: UTF8.self)
    }

    func testMergedShardsEqualTheUnshardedReport() throws {
        let full = ReportFixtures.report()
        for count in [2, 3, 4] {
            var shards: [Report] = []
            for index in (1...count).reversed() {
                let plan = ReportFixtures.plan().sharded(try Shard(index: index, count: count))
                let shard = ReportFixtures.report(plan: plan, started: "2026-11-25T10:0\(index):00Z")
                XCTAssertTrue(shard.metadata.incomplete)
                // A shard round-trips through its file like any report.
                shards.append(try Report.decode(shard.jsonData(), file: "shard\(index).json"))
            }
            let merged = try Report.merged(shards)
            XCTAssertEqual(try normalized(merged), try normalized(full), "n = \(count)")
            XCTAssertFalse(merged.metadata.incomplete)
            XCTAssertEqual(merged.metadata.mergedShards?.map(\.description), (1...count).map { "\($0)/\(count)" })
            XCTAssertNil(merged.metadata.shard)
            XCTAssertEqual(merged.metadata.startedAt, "2026-11-25T10:01:00Z")
            XCTAssertEqual(merged.metadata.durationSeconds, 60 * Double(count))
            XCTAssertEqual(merged.metadata.runId, "20261125-100000")
        }
    }

    func testMissingShardIsNamedOrLeavesAPartialMergeIncomplete() throws {
        let one = ReportFixtures.report(plan: ReportFixtures.plan().sharded(try Shard(index: 1, count: 3)))
        let two = ReportFixtures.report(plan: ReportFixtures.plan().sharded(try Shard(index: 2, count: 3)))
        XCTAssertThrowsError(try Report.merged([one, two])) { error in
            XCTAssertEqual(String(describing: error), "shard 3/3 of this run is missing (the reports hold 1/3, 2/3); "
                           + "merge them all, or pass --allow-partial for a report marked incomplete")
        }
        let merged = try Report.merged([one, two], allowPartial: true)
        XCTAssertTrue(merged.metadata.incomplete)
        XCTAssertEqual(merged.summary.cells, 6)
        XCTAssertTrue(MarkdownSummaryWriter.render(merged).contains("**incomplete: 6 of 9 planned cells**"))
    }

    func testMismatchedReportsAreRefused() throws {
        let one = ReportFixtures.report(plan: ReportFixtures.plan().sharded(try Shard(index: 1, count: 2)))
        let other = ReportFixtures.report(plan: ReportFixtures.plan().sharded(try Shard(index: 2, count: 2)), digest: "fedcba9876543210")
        XCTAssertThrowsError(try Report.merged([one, other], names: ["a.json", "b.json"])) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("b.json is a run of another corpus manifest (Golden, digest fedcba9876543210) than a.json"), "\(error)")
        }
        XCTAssertThrowsError(try Report.merged([one, one], names: ["a.json", "c.json"])) { error in
            XCTAssertTrue(String(describing: error).contains("is in both a.json and c.json"), "\(error)")
        }
        var narrower = ReportFixtures.report(plan: ReportFixtures.plan().sharded(try Shard(index: 2, count: 2)))
        narrower.metadata.paths = ["fp32"]
        XCTAssertThrowsError(try Report.merged([one, narrower], names: ["a.json", "d.json"])) { error in
            XCTAssertEqual(String(describing: error), "d.json was planned with other models or paths than a.json; run every shard with the same --paths")
        }
        XCTAssertThrowsError(try Report.merged([]))
    }
}
