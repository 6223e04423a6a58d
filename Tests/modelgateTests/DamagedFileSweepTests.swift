import Foundation
import TestSupport
import XCTest

/// Truncated and bit-flipped copies of real Keras `.h5` and `.keras` models, golden files and
/// `corpus.yml` never crash or hang `modelgate`: `check`, `inspect`, `convert` and `run` (the
/// damaged file in a temporary one-model corpus) end with exit 0 or 1 — `run` with 2 for a
/// manifest it refuses, as documented — and a refusal says what is wrong in one line.
///
/// `MODELGATE_SWEEP_COPIES` sets the copies per source file (default 100, five sources per
/// kind: 500 copies each, and 100 of an ONNX corpus model), `MODELGATE_SWEEP_SEED` the first seed.
final class DamagedFileSweepTests: XCTestCase {
    /// The Keras layer fixtures whose files are damaged: small real models with their golden files.
    private static let cases = ["dense", "lstm", "conv2d_same_strided", "batch_normalization", "add"]

    private enum Damaged: Sendable {
        /// The model file (`model.h5`, `model.keras`, `model.onnx`) of a folder that holds its `golden.h5`.
        case model(folder: URL, file: String)
        /// The golden file of a folder, run against its intact `model.h5`.
        case golden(folder: URL)
        /// The bundled corpus's manifest, run against the bundled models.
        case manifest
    }

    private struct Job: Sendable {
        var damaged: Damaged
        var bytes: Data
        var label: String
    }

    private var copiesPerSource: Int { ProcessInfo.processInfo.environment["MODELGATE_SWEEP_COPIES"].flatMap(Int.init) ?? 100 }
    private var seedBase: UInt64 { ProcessInfo.processInfo.environment["MODELGATE_SWEEP_SEED"].flatMap(UInt64.init) ?? 0 }

    func testDamagedH5ModelsAndGoldenFiles() throws {
        let sources: [Damaged] = ["dense", "lstm", "conv2d_same_strided", "batch_normalization"]
            .map { .model(folder: FixturePaths.fixture("keras/\($0)"), file: "model.h5") } + [.golden(folder: FixturePaths.fixture("keras/add"))]
        try sweep(sources, seedOffset: 100)
    }

    func testDamagedKerasModels() throws {
        try sweep(Self.cases.map { .model(folder: FixturePaths.fixture("keras/\($0)"), file: "model.keras") }, seedOffset: 200)
    }

    /// ONNX copies of a bundled corpus model through all four commands (`DamagedInputSweepTests`
    /// sends the ONNX suite's models through `check`, `inspect` and `convert`).
    func testDamagedONNXCorpusModel() throws {
        try sweep([.model(folder: FixturePaths.repositoryRoot.appendingPathComponent("Golden/simplenet"), file: "model.onnx")],
                  copies: copiesPerSource, seedOffset: 400, minimumCopies: 100)
    }

    func testDamagedManifests() throws {
        try sweep([.manifest], copies: copiesPerSource * 5, seedOffset: 300)
    }

    // MARK: - The sweep

    private static func original(_ damaged: Damaged) -> URL {
        switch damaged {
        case let .model(folder, file): folder.appendingPathComponent(file)
        case let .golden(folder): folder.appendingPathComponent("golden.h5")
        case .manifest: FixturePaths.repositoryRoot.appendingPathComponent("Golden/corpus.yml")
        }
    }

    private func sweep(_ sources: [Damaged], copies: Int? = nil, seedOffset: UInt64, minimumCopies: Int = 500) throws {
        let work = try TemporaryDirectory()
        var jobs: [Job] = []
        for (sourceIndex, source) in sources.enumerated() {
            let url = Self.original(source)
            let seed = seedBase &+ seedOffset &+ UInt64(sourceIndex)
            let bytes = try Data(contentsOf: url)
            for (index, copy) in DamagedInputSweepTests.damagedCopies(of: bytes, count: copies ?? copiesPerSource, seed: seed).enumerated() {
                jobs.append(Job(damaged: source, bytes: copy, label: "copy \(index) of \(url.path) (seed \(seed))"))
            }
        }
        let outcomes = SweepOutcomes()
        let next = SweepCounter()
        let done = DispatchGroup()
        let allJobs = jobs
        let workURL = work.url
        for _ in 0..<3 {
            done.enter()
            Thread.detachNewThread {
                while let index = next.take(below: allJobs.count) {
                    do { try Self.run(allJobs[index], in: workURL.appendingPathComponent("job-\(index)"), outcomes: outcomes) } catch {
                        outcomes.fail("\(allJobs[index].label): \(error)")
                    }
                }
                done.leave()
            }
        }
        withExtendedLifetime(work) { done.wait() }
        let (runs, codes, failures) = outcomes.snapshot()
        XCTAssertEqual(failures.count, 0, failures.prefix(10).joined(separator: "\n"))
        if ProcessInfo.processInfo.environment["MODELGATE_SWEEP_COPIES"] == nil { XCTAssertGreaterThanOrEqual(jobs.count, minimumCopies) }
        XCTAssertGreaterThan(codes.filter { $0.key != 0 }.values.reduce(0, +), jobs.count / 4, "most damaged copies should be refused: \(codes)")
        print("damaged-file sweep: \(jobs.count) copies, \(runs) runs, exit codes \(codes.sorted { $0.key < $1.key })")
    }

    private static func run(_ job: Job, in folder: URL, outcomes: SweepOutcomes) throws {
        let fileManager = FileManager.default
        let corpus = folder.appendingPathComponent("corpus")
        try fileManager.createDirectory(at: corpus.appendingPathComponent("m"), withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: folder) }
        var commands: [[String]] = []
        var runArguments = ["run", "--corpus", corpus.path, "--out", folder.appendingPathComponent("out").path, "--jobs", "1",
                            "--latency-runs", "0", "--warmup", "0", "--timeout", "60"]
        switch job.damaged {
        case let .model(source, file):
            let damaged = corpus.appendingPathComponent("m/\(file)")
            try job.bytes.write(to: damaged)
            try fileManager.copyItem(at: source.appendingPathComponent("golden.h5"), to: corpus.appendingPathComponent("m/golden.h5"))
            try "paths: [fp32]\nmodels:\n  m: {source: m/\(file)}\n".write(to: corpus.appendingPathComponent("corpus.yml"), atomically: false, encoding: .utf8)
            commands = Self.fileCommands(damaged, folder: folder)
        case let .golden(source):
            let damaged = corpus.appendingPathComponent("m/golden.h5")
            try job.bytes.write(to: damaged)
            try fileManager.copyItem(at: source.appendingPathComponent("model.h5"), to: corpus.appendingPathComponent("m/model.h5"))
            try "paths: [fp32]\nmodels:\n  m: {source: m/model.h5}\n".write(to: corpus.appendingPathComponent("corpus.yml"), atomically: false, encoding: .utf8)
            commands = Self.fileCommands(damaged, folder: folder)
        case .manifest:
            let golden = FixturePaths.repositoryRoot.appendingPathComponent("Golden")
            for model in try fileManager.contentsOfDirectory(atPath: golden.path) where model != "corpus.yml" {
                try fileManager.createSymbolicLink(at: corpus.appendingPathComponent(model), withDestinationURL: golden.appendingPathComponent(model))
            }
            try job.bytes.write(to: corpus.appendingPathComponent("corpus.yml"))
            // Every cell of a manifest that still parses would run; one cell shows the plan works.
            runArguments += ["--paths", "fp32", "--shard", "1/1000"]
        }
        commands.append(runArguments)
        for arguments in commands {
            let result = try runProcess(modelgateExecutable, arguments, timeout: 120)
            outcomes.record(result.exitCode)
            let what = "\(arguments[0]) on \(job.label)"
            if result.wasSignalled {
                outcomes.fail("\(what): ended by a signal or timed out; stderr: \(result.standardError.suffix(300))")
                Self.keep(job)
                continue
            }
            if arguments[0] == "run" {
                check(run: result, what: what, folder: folder, manifestDamaged: { if case .manifest = job.damaged { true } else { false } }(),
                      outcomes: outcomes)
            } else if result.exitCode != 0 {
                let lines = result.standardError.split(separator: "\n")
                if result.exitCode != 1 || lines.count != 1 || !(lines.first?.hasPrefix("error: ") ?? false) {
                    outcomes.fail("\(what): exit \(result.exitCode), stderr: \(result.standardError.prefix(500))")
                }
            }
        }
    }

    /// `run` ends 0 or 1 with its reports written (a damaged file errors its cell, not the run), or,
    /// for a damaged manifest, 2 with one line naming `corpus.yml`.
    private static func check(run result: ProcessResult, what: String, folder: URL, manifestDamaged: Bool, outcomes: SweepOutcomes) {
        if result.exitCode == 2 && manifestDamaged {
            let lines = result.standardError.split(separator: "\n")
            if lines.count != 1 || !(lines.first?.hasPrefix("error: ") ?? false) || !result.standardError.contains("corpus.yml") {
                outcomes.fail("\(what): exit 2 without a one-line message naming corpus.yml: \(result.standardError.prefix(500))")
            }
            return
        }
        guard [0, 1].contains(result.exitCode) else {
            return outcomes.fail("\(what): exit \(result.exitCode), stderr: \(result.standardError.prefix(500))")
        }
        let reportURL = folder.appendingPathComponent("out/report.json")
        guard let data = try? Data(contentsOf: reportURL),
              let report = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let cells = report["cells"] as? [[String: Any]] else {
            return outcomes.fail("\(what): exit \(result.exitCode) without a readable report.json; stderr: \(result.standardError.prefix(500))")
        }
        if result.exitCode == 1 {
            let explained = cells.contains { cell in
                cell["verdict"] as? String != "pass" && !((cell["reasons"] as? [String]) ?? []).isEmpty
            }
            if !explained { outcomes.fail("\(what): exit 1 but no cell in report.json says why") }
        }
    }

    private static func fileCommands(_ file: URL, folder: URL) -> [[String]] {
        [["check", file.path], ["inspect", file.path], ["convert", file.path, folder.appendingPathComponent("out.onnx").path]]
    }

    /// Copies a failing input to `.cache/sweep-failures/` so that it can be replayed.
    private static func keep(_ job: Job) {
        let folder = FixturePaths.repositoryRoot.appendingPathComponent(".cache/sweep-failures")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = job.label.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: " ", with: "_")
        try? job.bytes.write(to: folder.appendingPathComponent(name))
    }
}

/// Exit codes and failures gathered from the sweep's threads.
private final class SweepOutcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var runs = 0
    private var codes: [Int32: Int] = [:]
    private var failures: [String] = []

    func record(_ code: Int32) {
        lock.lock(); defer { lock.unlock() }
        runs += 1
        codes[code, default: 0] += 1
    }

    func fail(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        failures.append(message)
    }

    func snapshot() -> (runs: Int, codes: [Int32: Int], failures: [String]) {
        lock.lock(); defer { lock.unlock() }
        return (runs, codes, failures)
    }
}

/// Hands out job indices to the sweep's threads.
private final class SweepCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below count: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}
