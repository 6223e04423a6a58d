import ArgumentParser
import Foundation
import Harness
import Reports

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every model × path of a corpus and write reports.",
        discussion: """
            Each cell runs in its own worker process: convert/optimize, check, execute the golden inputs, \
            compare, diagnose a failure, size and latency. Writes report.json, report.html, junit.xml and \
            summary.md to --out (default Reports/<run-id>, with Reports/latest pointing at it) and the \
            converted models to <out>/models/<model>/<path>.onnx. Exit 0 when every cell passes its gates \
            (and, with --baseline, nothing regressed), 1 when a gate failed, a cell errored or a regression \
            was found, 2 for a usage or setup error (bad manifest, missing corpus). An interrupt (SIGINT, \
            Ctrl-C) stops the run: no further cell starts, running workers are stopped, the reports of the \
            finished cells are written marked interrupted, and the exit status is 130; a second interrupt \
            kills the running workers at once.
            """)
    @Option(help: "The corpus folder.") var corpus = "Golden"
    @Option(help: "The report folder (default Reports/<run-id>).") var out: String?
    @Option(help: "Comma-separated paths to run.") var paths: String?
    @Option(help: "A report.json (or its folder) to compare against.") var baseline: String?
    @Option(help: """
        Run shard k of n, as k/n; or auto: the shard Bazel (TEST_SHARD_INDEX, TEST_TOTAL_SHARDS), a Kubernetes         Indexed Job (JOB_COMPLETION_INDEX with --shard-count) or GitLab CI (CI_NODE_INDEX, CI_NODE_TOTAL) names,         which is also the default when those variables are set.
        """) var shard: String?
    @Option(help: "The number of shards of a Kubernetes Indexed Job (its completions; else MODELGATE_SHARD_COUNT).") var shardCount: Int?
    @Option(help: "Cells run in parallel (default: the number of cores).") var jobs: Int?
    @Option(help: "Seconds a cell may run before it is stopped.") var timeout = 600.0
    @Option(help: "Timed latency runs per cell, at batch 1.") var latencyRuns = 20
    @Option(help: "Untimed warm-up runs before the timed ones.") var warmup = 3
    @Option(help: "Golden samples per executor run when the batch dimension is free.") var batchSize = 64
    @Flag(help: "Enforce latency budgets (max_latency_ratio, max_latency_p50_ms).") var gateLatency = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        if latencyRuns < 0 || warmup < 0 { throw ValidationError("--latency-runs and --warmup cannot be negative") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let shard, shard != "auto" {
            do { _ = try Shard(parsing: shard) } catch { throw ValidationError(error.description) }
        }
        if let shardCount, shardCount < 1 { throw ValidationError("--shard-count must be at least 1") }
    }

    /// The shard to run: `--shard k/n`, else the one the environment names (`--shard auto`, or no
    /// `--shard` and shard variables set), else none.
    func resolvedShard() throws -> (shard: Shard?, environment: ShardEnvironment?) {
        if let shard, shard != "auto" { return (try Shard(parsing: shard), nil) }
        let found: ShardEnvironment?
        do { found = try ShardEnvironment.resolve(ProcessInfo.processInfo.environment, count: shardCount) } catch {
            throw CommandFailure(error.description, exitCode: CommandFailure.usage)
        }
        if shard == "auto", found == nil { throw CommandFailure(ShardEnvironmentError.noVariables.description, exitCode: CommandFailure.usage) }
        return (found?.shard, found)
    }

    func run() throws {
        let corpusURL = URL(fileURLWithPath: corpus)
        let manifest: Manifest
        do { manifest = try Manifest.load(corpus: corpusURL) } catch {
            throw CommandFailure(String(describing: error), exitCode: CommandFailure.usage)
        }
        let selected = paths.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let (shard, shardEnvironment) = try resolvedShard()
        let plan: CellPlan
        do {
            let full = try CellPlan(manifest: manifest, paths: selected)
            plan = shard.map { full.sharded($0) } ?? full
        } catch {
            throw CommandFailure(String(describing: error), exitCode: CommandFailure.usage)
        }
        if let shardEnvironment {
            do { try shardEnvironment.touchStatusFile() } catch { throw CommandFailure(error.description, exitCode: CommandFailure.usage) }
            FileHandle.standardError.write(Data("shard \(shardEnvironment.shard) from \(shardEnvironment.source): \(plan.cells.count) of \(plan.plannedCellCount) cells\n".utf8))
        }
        let baselineReport = try baseline.map { file in
            do { return try Report.load(URL(fileURLWithPath: file)) } catch {
                throw CommandFailure(String(describing: error), exitCode: CommandFailure.usage)
            }
        }

        var metadata = RunMetadata.current(plan: plan, corpusPath: corpus, manifestDigest: manifest.digest, latencyGated: gateLatency)
        metadata.shardSource = shardEnvironment?.source
        let folder = out.map { URL(fileURLWithPath: $0) }
            ?? ReportWriter.defaultFolder(root: URL(fileURLWithPath: "Reports"), runId: metadata.runId)
        let settings = RunSettings(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, timeoutSeconds: timeout,
                                   latencyRuns: latencyRuns, warmupRuns: warmup, batchSize: batchSize)
        guard let executable = Bundle.main.executableURL else {
            throw CommandFailure("cannot find the modelgate executable to start worker processes", exitCode: CommandFailure.usage)
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("\(folder.path): cannot create the report folder: \(error.localizedDescription)", exitCode: CommandFailure.usage)
        }
        let runner = Runner(manifest: manifest, corpus: corpusURL, plan: plan, modelsFolder: folder.appendingPathComponent("models"),
                            settings: settings, executable: executable)
        let progress = RunProgress(total: plan.cells.count, gates: Gates(latency: gateLatency))
        let interrupt = InterruptHandler()
        let results = try CommandFailure.reporting { try runner.run(stop: interrupt.stop, progress: progress.finished) }
        progress.end()

        let interrupted = interrupt.stop.isRequested
        if interrupted { metadata.interrupt() } else { metadata.finish() }
        let report = Report(metadata: metadata, results: results)
        _ = try CommandFailure.reporting { try ReportWriter.write(report, to: folder) }
        if out == nil { try? ReportWriter.updateLatestLink(to: folder) }
        print(TerminalSummaryWriter.render(report), terminator: "")
        if interrupted {
            print("interrupted: \(results.count) of \(plan.cells.count) cells finished; "
                  + "report: \(folder.appendingPathComponent(ReportWriter.htmlFileName).path)")
            throw ExitCode(InterruptHandler.exitStatus)
        }
        var regressed = false
        if let baselineReport {
            let diff = try CommandFailure.reporting {
                try ReportDiff(old: baselineReport, new: report, oldName: baseline ?? "baseline", newName: "this run")
            }
            print("")
            print("against \(baseline ?? "the baseline"):")
            print(diff.text, terminator: "")
            regressed = diff.hasRegressions
        }
        print("report: \(folder.appendingPathComponent(ReportWriter.htmlFileName).path)")
        if !report.passed || regressed { throw ExitCode(CommandFailure.failed) }
    }
}

/// Progress on standard error: a bar redrawn in place on a terminal, else one line per finished cell.
final class RunProgress {
    let total: Int
    let gates: Gates
    let isTerminal = isatty(STDERR_FILENO) != 0
    private var done = 0
    private var failing = 0

    init(total: Int, gates: Gates) {
        self.total = total
        self.gates = gates
        if isTerminal && total > 0 { write("\r\(Self.bar(0, of: total)) 0/\(total)") }
    }

    static func bar(_ done: Int, of total: Int, width: Int = 30) -> String {
        let filled = total > 0 ? width * done / total : width
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }

    func finished(_ result: CellResult) {
        done += 1
        let verdict = gates.verdict(for: result)
        if verdict.isFailure { failing += 1 }
        let cell = "\(result.model) × \(result.path)"
        if isTerminal {
            write("\r\u{1B}[K\(Self.bar(done, of: total)) \(done)/\(total)  \(failing) failing  \(cell) \(verdict.status.rawValue)")
        } else {
            let reason = verdict.isFailure ? "  " + (verdict.reasons.first ?? "") : ""
            write("[\(done)/\(total)] \(cell): \(verdict.status.rawValue) (\(String(format: "%.1f", result.durationSeconds)) s)\(reason)\n")
        }
    }

    func end() {
        if isTerminal && done > 0 { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
