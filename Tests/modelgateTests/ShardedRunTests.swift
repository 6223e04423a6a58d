import Foundation
import Harness
import ModelFormats
import ModelIR
import Reports
import TestSupport
import XCTest

/// `run` sharded by the variables Bazel, a Kubernetes Indexed Job and GitLab CI set, as separate
/// processes, and `merge` of the shards' folder: the same cells and verdicts as one unsharded run.
final class ShardedRunTests: XCTestCase {
    static let shardVariables = ShardEnvironment.variables + ["TEST_SHARD_STATUS_FILE", "MODELGATE_SHARD_COUNT"]

    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sharded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// A corpus of three small models (y = x·W + b of three widths), with golden outputs from `modelgate add`.
    private func corpus(in folder: URL) throws -> URL {
        let corpus = folder.appendingPathComponent("corpus")
        XCTAssertEqual(try run(["init", corpus.path]).exitCode, 0)
        for width in [3, 5, 7] {
            let weights = GraphBuilder.tensor("w", [4, width], (0..<(4 * width)).map { Float($0 % 5) / 4 - 0.5 })
            let bias = GraphBuilder.tensor("b", [width], (0..<width).map { Float($0) / 10 })
            let model = GraphBuilder.model(
                [Node(name: "product", opType: "MatMul", inputs: ["x", "w"], outputs: ["xw"]),
                 Node(name: "bias", opType: "Add", inputs: ["xw", "b"], outputs: ["y"])],
                inputs: [GraphBuilder.value("x", .float, [2, 4])], outputs: [GraphBuilder.value("y", .float, [2, width])],
                initializers: [weights, bias], opset: 17)
            let file = folder.appendingPathComponent("linear\(width).onnx")
            try ONNXModelFile.save(model, to: file)
            let added = try run(["add", file.path, "--corpus", corpus.path, "--samples", "4"])
            XCTAssertEqual(added.exitCode, 0, added.standardError)
        }
        return corpus
    }

    private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        var cleared: [String: String?] = Dictionary(uniqueKeysWithValues: Self.shardVariables.map { ($0, nil) })
        for (name, value) in environment { cleared[name] = value }
        return try runProcess(modelgateExecutable, arguments, timeout: 600, environment: cleared)
    }

    private func runArguments(_ corpus: URL, out: URL) -> [String] {
        ["run", "--corpus", corpus.path, "--paths", "fp32,fused", "--out", out.path, "--jobs", "1", "--latency-runs", "1", "--warmup", "0"]
    }

    /// Cells by key with their verdicts and metrics, timings left out.
    private func cells(_ report: Report) -> [String: String] {
        Dictionary(uniqueKeysWithValues: report.cells.map { cell in
            ("\(cell.key)", "\(cell.verdict.status) \(cell.result.outputs.map { "\($0.name) \($0.maxAbsError) \($0.cosine)" })")
        })
    }

    func testShardsFromEachEngineMergeIntoTheUnshardedRun() throws {
        let folder = try scratch()
        let corpus = try corpus(in: folder)
        let whole = folder.appendingPathComponent("whole")
        XCTAssertEqual(try run(runArguments(corpus, out: whole)).exitCode, 0)
        let expected = cells(try Report.load(whole))
        XCTAssertEqual(expected.count, 6)

        let engines: [(name: String, variables: (Int) -> [String: String])] = [
            ("bazel", { ["TEST_TOTAL_SHARDS": "4", "TEST_SHARD_INDEX": "\($0)",
                         "TEST_SHARD_STATUS_FILE": folder.appendingPathComponent("bazel-status-\($0)").path] }),
            ("kubernetes", { ["JOB_COMPLETION_INDEX": "\($0)", "MODELGATE_SHARD_COUNT": "4"] }),
            ("gitlab", { ["CI_NODE_INDEX": "\($0 + 1)", "CI_NODE_TOTAL": "4"] }),
        ]
        for engine in engines {
            let shards = folder.appendingPathComponent(engine.name)
            for index in 0..<4 {
                let out = shards.appendingPathComponent("shard\(index)")
                let result = try run(runArguments(corpus, out: out), environment: engine.variables(index))
                XCTAssertEqual(result.exitCode, 0, "\(engine.name) shard \(index): \(result.standardError)")
                let report = try Report.load(out)
                XCTAssertEqual(report.metadata.shard, try Shard(index: index + 1, count: 4), engine.name)
                XCTAssertNotNil(report.metadata.shardSource, engine.name)
                XCTAssertEqual(report.cells.count, index < 2 ? 2 : 1, "6 cells dealt over 4 shards")
            }
            let merged = folder.appendingPathComponent("\(engine.name)-merged")
            let merge = try run(["merge", shards.path, "--out", merged.path])
            XCTAssertEqual(merge.exitCode, 0, merge.standardError)
            let report = try Report.load(merged)
            XCTAssertEqual(cells(report), expected, engine.name)
            XCTAssertFalse(report.metadata.incomplete)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("bazel-status-0").path), "Bazel's status file is touched")

        try FileManager.default.removeItem(at: folder.appendingPathComponent("gitlab/shard2"))
        let partial = folder.appendingPathComponent("partial")
        let refused = try run(["merge", folder.appendingPathComponent("gitlab").path, "--out", partial.path])
        XCTAssertEqual(refused.exitCode, 2)
        XCTAssertTrue(refused.standardError.contains("shard 3/4 of this run is missing"), refused.standardError)
        let allowed = try run(["merge", folder.appendingPathComponent("gitlab").path, "--out", partial.path, "--allow-partial"])
        XCTAssertEqual(allowed.exitCode, 0, allowed.standardError)
        XCTAssertTrue(try Report.load(partial).metadata.incomplete)
    }

    func testShardAutoWithoutVariablesAndMisSetVariablesAreUsageErrors() throws {
        let folder = try scratch()
        let corpus = try corpus(in: folder)
        let none = try run(runArguments(corpus, out: folder.appendingPathComponent("a")) + ["--shard", "auto"])
        XCTAssertEqual(none.exitCode, 2)
        XCTAssertTrue(none.standardError.contains("--shard auto found no shard variables"), none.standardError)
        let beyond = try run(runArguments(corpus, out: folder.appendingPathComponent("b")), environment: ["CI_NODE_INDEX": "5", "CI_NODE_TOTAL": "4"])
        XCTAssertEqual(beyond.exitCode, 2)
        XCTAssertTrue(beyond.standardError.contains("CI_NODE_INDEX gives shard 5 of 4"), beyond.standardError)
        let countless = try run(runArguments(corpus, out: folder.appendingPathComponent("c")), environment: ["JOB_COMPLETION_INDEX": "0"])
        XCTAssertEqual(countless.exitCode, 2)
        XCTAssertTrue(countless.standardError.contains("--shard-count N or set MODELGATE_SHARD_COUNT"), countless.standardError)
        let explicit = try run(runArguments(corpus, out: folder.appendingPathComponent("d")) + ["--shard", "2/3"],
                               environment: ["CI_NODE_INDEX": "5", "CI_NODE_TOTAL": "4"])
        XCTAssertEqual(explicit.exitCode, 0, "--shard k/n wins over the environment: \(explicit.standardError)")
        XCTAssertEqual(try Report.load(folder.appendingPathComponent("d")).metadata.shard, try Shard(index: 2, count: 3))
    }
}
