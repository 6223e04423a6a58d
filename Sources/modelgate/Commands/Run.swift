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
            was found, 2 for a usage or setup error (bad manifest, missing corpus). A cell whose inputs did not change \
            since an earlier run (model, golden and calibration bytes, path and options, thresholds, version, kernels) \
            is taken from the cell cache (--cache; --no-cache to run everything); one whose thresholds changed is \
            judged again on its cached model. An interrupt (SIGINT, \
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
    @Option(help: "Seconds one cell's latency runs may take: a slower model is timed fewer times (at least 3); 0 for no limit.")
    var latencyBudget = 10.0
    @Option(help: "Golden samples per executor run when the batch dimension is free.") var batchSize = 64
    @Flag(help: "Enforce latency budgets (max_latency_ratio, max_latency_p50_ms).") var gateLatency = false
    @Option(help: "The cell cache folder (default $MODELGATE_CACHE, else <corpus>/.cache/modelgate).") var cache: String?
    @Flag(help: "Run every cell afresh and leave the cache alone.") var noCache = false
    @Flag(help: "Measure latency again for cells whose result is cached (their cached conversion is run and judged again).") var remeasureLatency = false
    @Option(help: "Converted models kept in <out>/models once judged: all, failed (cells that did not pass) or none.") var keepModels = "all"

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        if latencyRuns < 0 || warmup < 0 || latencyBudget < 0 {
            throw ValidationError("--latency-runs, --warmup and --latency-budget cannot be negative")
        }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let shard, shard != "auto" {
            do { _ = try Shard(parsing: shard) } catch { throw ValidationError(error.description) }
        }
        if let shardCount, shardCount < 1 { throw ValidationError("--shard-count must be at least 1") }
        if noCache, cache != nil { throw ValidationError("--cache and --no-cache exclude each other") }
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
        let (shard, shardEnvironment) = try resolvedShard()
        guard let executable = Bundle.main.executableURL else {
            throw CommandFailure("cannot find the modelgate executable to start worker processes", exitCode: CommandFailure.usage)
        }
        let selected = paths.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let cacheFolder = noCache ? nil : cache ?? ProcessInfo.processInfo.environment["MODELGATE_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? URL(fileURLWithPath: corpus).appendingPathComponent(".cache/modelgate").path
        guard let keptModels = RunSettings.KeptModels(rawValue: keepModels) else {
            throw CommandFailure("--keep-models \(keepModels): expected one of \(RunSettings.KeptModels.allCases.map(\.rawValue).joined(separator: ", "))",
                                 exitCode: CommandFailure.usage)
        }
        var settings = RunSettings(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, timeoutSeconds: timeout,
                                   latencyRuns: latencyRuns, warmupRuns: warmup, latencyBudgetSeconds: latencyBudget, batchSize: batchSize,
                                   cacheFolder: cacheFolder.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, remeasureLatency: remeasureLatency)
        settings.keptModels = keptModels
        let session: RunSession
        do {
            session = try RunSession(.init(corpus: corpus, out: out, paths: selected, baseline: baseline, shard: shard, shardEnvironment: shardEnvironment,
                                           settings: settings, gateLatency: gateLatency, executable: executable))
        } catch {
            throw CommandFailure(error.description, exitCode: CommandFailure.usage)
        }
        if let shardEnvironment {
            FileHandle.standardError.write(Data("shard \(shardEnvironment.shard) from \(shardEnvironment.source): \(session.plan.cells.count) of \(session.plan.plannedCellCount) cells\n".utf8))
        }
        let progress = RunProgress(total: session.plan.cells.count, gates: Gates(latency: gateLatency))
        let interrupt = InterruptHandler()
        let outcome = try CommandFailure.reporting { try session.run(stop: interrupt.stop, progress: progress.finished) }
        progress.end()
        print(TerminalSummaryWriter.render(outcome.report), terminator: "")
        if outcome.interrupted {
            print("interrupted: \(outcome.report.cells.count) of \(outcome.plannedCells) cells finished; report: \(outcome.htmlFile.path)")
            throw ExitCode(InterruptHandler.exitStatus)
        }
        if let diff = outcome.diff {
            print("\nagainst \(baseline ?? "the baseline"):")
            print(diff.text, terminator: "")
        }
        print("report: \(outcome.htmlFile.path)")
        if !outcome.passed { throw ExitCode(CommandFailure.failed) }
    }
}
