import Foundation
import Harness
import Reports
import TestSupport
import XCTest

/// `modelgate diff` and `modelgate merge` as CI meets them: files in, tables and exit codes out.
final class DiffMergeCommandTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("diff-merge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func cell(_ model: String, _ path: String, loss: Double, bytes: Int, p50: Double) -> CellResult {
        let golden: [Double] = [0.1, 0.9, 0.8, 0.2]
        var result = CellResult(model: model, path: path, durationSeconds: 0.5)
        result.outputs = [try! OutputComparator.compare(name: "y", actual: golden, golden: golden, shape: [2, 2])]
        result.accuracy = AccuracyMetrics(output: "y", samples: 200, goldenAccuracy: 0.9, accuracy: 0.9 - loss)
        result.size = SizeMetrics(bytes: bytes, fp32Bytes: 1000)
        result.latency = LatencyMetrics(warmupRuns: 1, runs: 5, p50Ms: p50, p90Ms: p50 * 1.2, meanMs: p50)
        result.budget = Thresholds([.maxAccuracyLoss: 0.02])
        return result
    }

    /// Writes a report of cells a×fp32 and a×int8-static (optionally one shard of it) and returns its report.json.
    private func write(_ name: String, int8Loss: Double, int8Bytes: Int = 260, p50: Double = 1, shard: Shard? = nil, digest: String = "d1") throws -> String {
        let full = CellPlan(cells: [CellKey(model: "a", path: "fp32"), CellKey(model: "a", path: "int8-static")])
        let plan = shard.map(full.sharded) ?? full
        var metadata = RunMetadata.current(plan: plan, corpusPath: "Golden", manifestDigest: digest, repository: folder)
        metadata.finish()
        let results = [cell("a", "fp32", loss: 0, bytes: 1000, p50: 2), cell("a", "int8-static", loss: int8Loss, bytes: int8Bytes, p50: p50)]
        let report = Report(metadata: metadata, results: results.filter { plan.cells.contains($0.key) })
        let out = folder.appendingPathComponent(name)
        try ReportWriter.write(report, to: out)
        return out.appendingPathComponent("report.json").path
    }

    func testDiffExitCodes() throws {
        let base = try write("base", int8Loss: 0.005)
        let same = try write("same", int8Loss: 0.008, int8Bytes: 262, p50: 1.5)
        let worse = try write("worse", int8Loss: 0.03)

        let clean = try runProcess(modelgateExecutable, ["diff", base, same])
        XCTAssertEqual(clean.exitCode, 0, clean.standardError)
        XCTAssertEqual(clean.standardOutput, "no changes between \(base) and \(same)\n0 regressions\n")

        let timed = try runProcess(modelgateExecutable, ["diff", "--latency", base, same])
        XCTAssertEqual(timed.exitCode, 1)
        XCTAssertTrue(timed.standardOutput.contains("REGRESSION  latency-increase  a × int8-static  1 ms  1.5 ms  latency p50 up 50.0 % (threshold 10 %)"),
                      timed.standardOutput)
        XCTAssertEqual(timed.standardError, "")

        let regressed = try runProcess(modelgateExecutable, ["diff", base, worse])
        XCTAssertEqual(regressed.exitCode, 1)
        XCTAssertTrue(regressed.standardOutput.contains("new-failure"), regressed.standardOutput)
        XCTAssertTrue(regressed.standardOutput.contains("accuracy loss worse by 2.50 points (threshold 0.5)"), regressed.standardOutput)
        XCTAssertTrue(regressed.standardOutput.hasSuffix("2 regressions, 0 fixed\n"), regressed.standardOutput)

        let json = try runProcess(modelgateExecutable, ["diff", "--json", worse, base])
        XCTAssertEqual(json.exitCode, 0)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(object["regressions"] as? Int, 0)
        XCTAssertEqual((object["changes"] as? [[String: Any]])?.first?["kind"] as? String, "fixed")

        let missing = try runProcess(modelgateExecutable, ["diff", base, folder.appendingPathComponent("nope.json").path])
        XCTAssertEqual(missing.exitCode, 2)
        XCTAssertTrue(missing.standardError.contains("nope.json: cannot read the report: no such file"), missing.standardError)
        let other = try write("other", int8Loss: 0, digest: "d2")
        var moved = try String(contentsOfFile: other, encoding: .utf8)
        moved = moved.replacingOccurrences(of: "\"path\" : \"Golden\"", with: "\"path\" : \"Elsewhere\"")
        try moved.write(toFile: other, atomically: false, encoding: .utf8)
        XCTAssertEqual(try runProcess(modelgateExecutable, ["diff", base, other]).exitCode, 2)
    }

    func testMergeWritesAllFourFiles() throws {
        let one = try write("shard1", int8Loss: 0.03, shard: try Shard(index: 1, count: 2))
        let two = try write("shard2", int8Loss: 0.03, shard: try Shard(index: 2, count: 2))
        let out = folder.appendingPathComponent("merged")
        let result = try runProcess(modelgateExecutable, ["merge", one, two, "--out", out.path])
        XCTAssertEqual(result.exitCode, 0, result.standardError)
        XCTAssertEqual(result.standardOutput, "merged 2 reports into \(out.path): 2 cells, 1 passed, 1 failed, 0 errors\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(), ["junit.xml", "report.html", "report.json", "summary.md"])
        let merged = try Report.load(out)
        XCTAssertEqual(merged.cells.map(\.path), ["fp32", "int8-static"])
        XCTAssertFalse(merged.metadata.incomplete)
        XCTAssertEqual(merged.metadata.mergedShards?.count, 2)

        let clash = try runProcess(modelgateExecutable, ["merge", one, one, "--out", folder.appendingPathComponent("clash").path])
        XCTAssertEqual(clash.exitCode, 2)
        XCTAssertTrue(clash.standardError.contains("is in both"), clash.standardError)
        let foreign = try write("foreign", int8Loss: 0, shard: try Shard(index: 2, count: 2), digest: "d9")
        let refused = try runProcess(modelgateExecutable, ["merge", one, foreign, "--out", folder.appendingPathComponent("x").path])
        XCTAssertEqual(refused.exitCode, 2)
        XCTAssertTrue(refused.standardError.contains("another corpus manifest"), refused.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("x").path))
        let notJSON = folder.appendingPathComponent("bad.json")
        try Data("{\"schema\": \"other/v9\"}".utf8).write(to: notJSON)
        let bad = try runProcess(modelgateExecutable, ["merge", notJSON.path, "--out", folder.appendingPathComponent("y").path])
        XCTAssertEqual(bad.exitCode, 2)
        XCTAssertTrue(bad.standardError.contains("report schema 'other/v9' is not 'modelgate.report/v1'"), bad.standardError)
    }
}
