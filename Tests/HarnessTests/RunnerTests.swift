import Executor
import Foundation
@testable import Harness
import ModelIR
import TestSupport
import XCTest

/// The runner in this process: cells of a small corpus, batching over the sample axis, ratios to
/// the fp32 cell and the divergence threshold.
final class RunnerTests: XCTestCase {
    /// A corpus in a new folder: the bundled simplenet with `manifest` as its corpus.yml.
    private func simplenetCorpus(_ manifest: String) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        let golden = FixturePaths.repositoryRoot.appendingPathComponent("Golden")
        try FileManager.default.copyItem(at: golden.appendingPathComponent("simplenet"), to: folder.file("simplenet"))
        try manifest.write(to: folder.file("corpus.yml"), atomically: false, encoding: .utf8)
        return folder
    }

    func testInProcessRunFillsEveryStage() throws {
        let folder = try simplenetCorpus("paths: [fp32, fp16]\nmodels:\n  simplenet: {source: simplenet/model.onnx}\n")
        let manifest = try Manifest.load(corpus: folder.url)
        let plan = try CellPlan(manifest: manifest)
        let runner = Runner(manifest: manifest, plan: plan, modelsFolder: folder.file("out/models"),
                            settings: RunSettings(jobs: 2, latencyRuns: 3, warmupRuns: 1))
        var finished: [String] = []
        let results = try runner.run { finished.append($0.key.description) }
        XCTAssertEqual(Set(finished), ["simplenet × fp32", "simplenet × fp16"])
        XCTAssertEqual(results.map(\.key.description), ["simplenet × fp32", "simplenet × fp16"], "plan order")
        let fp32 = results[0], fp16 = results[1]
        XCTAssertNil(fp32.error)
        XCTAssertEqual(fp32.outputs.map(\.name), ["logits"])
        XCTAssertEqual(fp32.outputs.first?.shape, [360, 2])
        XCTAssertEqual(fp32.size?.ratio, 1)
        XCTAssertEqual(fp32.latency?.runs, 3)
        XCTAssertEqual(fp32.accuracy?.samples, 360)
        XCTAssertNil(fp16.error)
        let size = try XCTUnwrap(fp16.size)
        XCTAssertEqual(size.fp32Bytes, fp32.size?.bytes)
        XCTAssertEqual(size.bytes, try CellRunner.fileSize(folder.file("out/models/simplenet/fp16.onnx")))
        XCTAssertEqual(fp16.latency?.fp32P50Ms, fp32.latency?.p50Ms)
        XCTAssertGreaterThan(fp16.outputs.first?.cosine ?? 0, 0.999)
        XCTAssertEqual(ExecutorThreads.count, 1, "the in-process run gives back the executor's thread count")
    }

    /// `keptModels`: `failed` keeps only the models of cells that did not pass, `none` none, and a
    /// model folder left empty goes too.
    func testKeptModelsFollowTheVerdicts() throws {
        let folder = try simplenetCorpus("paths: [fp32, fp16]\nmodels:\n  simplenet: {source: simplenet/model.onnx, tolerances: {fp16: {max_abs_error: 0}}}\n")
        let manifest = try Manifest.load(corpus: folder.url)
        for kept in RunSettings.KeptModels.allCases {
            var settings = RunSettings(latencyRuns: 1, warmupRuns: 0)
            settings.keptModels = kept
            let models = folder.file("\(kept.rawValue)/models")
            let runner = CellRunner(manifest: manifest, modelsFolder: models, settings: settings)
            let verdicts = ["fp32", "fp16"].map { Gates().verdict(for: runner.run(CellKey(model: "simplenet", path: $0))).status }
            XCTAssertEqual(verdicts, [.pass, .fail], "fp16 misses max_abs_error 0")
            let left = Set((try? FileManager.default.contentsOfDirectory(atPath: models.appendingPathComponent("simplenet").path)) ?? [])
            let expected: Set<String> = switch kept {
            case .all: ["fp32.onnx", "fp16.onnx"]
            case .failed: ["fp16.onnx"]
            case .none: []
            }
            XCTAssertEqual(left, expected, kept.rawValue)
            XCTAssertEqual(FileManager.default.fileExists(atPath: models.appendingPathComponent("simplenet").path), kept != .none, kept.rawValue)
        }
    }

    /// A worker runs the executor on its share of the cores (`threadsPerCell`), not on one thread.
    /// A full disk stopped a 397-model run at its 343rd cell with Foundation's bare error about
    /// `cell-343.json`; the cell now fails alone, saying which folder is full and what to do.
    func testAWorkerThatCannotStartSaysWhichFolderAndWhatToDo() {
        let scratch = URL(fileURLWithPath: "/tmp/modelgate-run-X")
        let full = CocoaError(.fileWriteOutOfSpace, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        let message = Runner.workerNotStarted(scratch: scratch, error: full)
        XCTAssertTrue(message.contains("in /tmp/modelgate-run-X failed (No space left on device)"), message)
        XCTAssertTrue(message.contains("set TMPDIR"), message)
        let other = Runner.workerNotStarted(scratch: scratch, error: CellError(stage: .load, message: "x"))
        XCTAssertTrue(other.contains("failed ("), other)
    }

    func testWorkerRunsTheExecutorOnItsShareOfTheCores() throws {
        defer { ExecutorThreads.set(1) }
        let folder = try simplenetCorpus("paths: [fp32]\nmodels:\n  simplenet: {source: simplenet/model.onnx}\n")
        let settings = RunSettings(jobs: 1, latencyRuns: 2, warmupRuns: 1)
        let job = CellJob(manifest: try Manifest.load(corpus: folder.url), model: "simplenet", path: "fp32", modelsFolder: folder.file("out/models").path,
                          settings: settings, measureFP32Latency: false)
        try JSONEncoder().encode(job).write(to: folder.file("job.json"))
        var lines: [String] = []
        try CellWorker.run(jobFile: folder.file("job.json")) { lines.append($0) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        XCTAssertEqual(ExecutorThreads.count, settings.threadsPerCell(cores: cores))
        XCTAssertEqual(ExecutorThreads.count, cores)
        XCTAssertTrue(lines.contains { $0.contains("\"latency\"") && $0.contains("simplenet") }, "\(lines.suffix(1))")
    }

    func testRowsAndConcatenationRoundTrip() throws {
        let tensor = try Tensor(shape: [5, 2], scalars: (0..<10).map(Float.init))
        let head = try SampleBatches.rows(of: tensor, from: 0, to: 2)
        let tail = try SampleBatches.rows(of: tensor, from: 2, to: 5)
        XCTAssertEqual(tail.scalars(as: Float.self), [4, 5, 6, 7, 8, 9])
        let padded = try SampleBatches.rows(of: tensor, from: 4, to: 5, paddedTo: 3)
        XCTAssertEqual(padded.shape, [3, 2])
        XCTAssertEqual(padded.scalars(as: Float.self), [8, 9, 8, 9, 8, 9])
        let joined = try SampleBatches.concatenated([head, tail], name: "y")
        XCTAssertEqual(joined.shape, [5, 2])
        XCTAssertEqual(joined.scalars(as: Float.self), tensor.scalars(as: Float.self))
        XCTAssertThrowsError(try SampleBatches.concatenated([head, try Tensor(shape: [1, 3], scalars: [Float](repeating: 0, count: 3))], name: "y"))
    }

    func testRatiosComeFromTheFP32Cell() {
        var fp32 = CellResult(model: "m", path: "fp32")
        fp32.size = SizeMetrics(bytes: 1000, fp32Bytes: 1000)
        fp32.latency = LatencyMetrics(warmupRuns: 1, runs: 3, p50Ms: 2, p90Ms: 3, meanMs: 2)
        var int8 = CellResult(model: "m", path: "int8-static")
        int8.size = SizeMetrics(bytes: 300, fp32Bytes: 999)
        int8.latency = LatencyMetrics(warmupRuns: 1, runs: 3, p50Ms: 1, p90Ms: 1.5, meanMs: 1)
        let filled = Runner.fillingRatios([fp32, int8], isReference: { $0 == "fp32" })
        XCTAssertEqual(filled[1].size?.ratio, 0.3)
        XCTAssertEqual(filled[1].latency?.ratio, 0.5)
        XCTAssertEqual(filled[0].latency?.ratio, 1)
    }

    func testDivergenceThresholdFollowsTheTolerance() {
        XCTAssertEqual(DivergenceLocator.thresholdSNRdB(Thresholds([.minSNRdB: 30, .minCosine: 0.99])), 30)
        XCTAssertEqual(DivergenceLocator.thresholdSNRdB(Thresholds([.minCosine: 0.99])), 10 * log10(50), accuracy: 1e-9)
        XCTAssertEqual(DivergenceLocator.thresholdSNRdB(Thresholds([.rtol: 1e-3])), 60, accuracy: 1e-9)
        XCTAssertEqual(DivergenceLocator.thresholdSNRdB(Thresholds()), 20)
        let node = DivergenceLocator.compare(node: "n", op: "Relu", output: "y", actual: [1, 2, 3.1], golden: [1, 2, 3])
        XCTAssertEqual(node.snrDB, 10 * log10(14 / 0.01), accuracy: 1e-6)
        XCTAssertEqual(node.maxAbsError, 0.1, accuracy: 1e-12)
    }
}
