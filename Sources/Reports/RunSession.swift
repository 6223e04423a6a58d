import Foundation
import Harness

/// One `modelgate run`, from manifest to written reports: `corpus.yml` → the cells (`CellPlan`,
/// one shard of them when asked) → worker processes (`Runner`) → results → `Report` written to
/// the report folder, and the comparison with a baseline report.
///
/// `init` does everything that can fail before a cell runs (manifest, paths, shard, baseline,
/// report folder) and throws `RunSessionError`, which the command reports as a usage error.
public struct RunSession {
    /// What the command line asked for.
    public struct Request {
        public var corpus: String
        /// The report folder; nil for `Reports/<run-id>` (and the `Reports/latest` link).
        public var out: String?
        /// `--paths`; nil for the manifest's.
        public var paths: [String]?
        public var baseline: String?
        /// The shard to run, and where it came from when the environment named it.
        public var shard: Shard?
        public var shardEnvironment: ShardEnvironment?
        public var settings: RunSettings
        public var gateLatency: Bool
        /// The `modelgate` executable the workers run.
        public var executable: URL

        public init(corpus: String, out: String?, paths: [String]?, baseline: String?, shard: Shard?, shardEnvironment: ShardEnvironment?,
                    settings: RunSettings, gateLatency: Bool, executable: URL) {
            self.corpus = corpus
            self.out = out
            self.paths = paths
            self.baseline = baseline
            self.shard = shard
            self.shardEnvironment = shardEnvironment
            self.settings = settings
            self.gateLatency = gateLatency
            self.executable = executable
        }
    }

    /// What a finished (or interrupted) run produced.
    public struct Outcome {
        public var report: Report
        public var folder: URL
        public var interrupted: Bool
        /// Cells planned for this run (those of the shard).
        public var plannedCells: Int
        /// The comparison with `--baseline`, when one was given and the run was not interrupted.
        public var diff: ReportDiff?

        /// The report's HTML file.
        public var htmlFile: URL { folder.appendingPathComponent(ReportWriter.htmlFileName) }
        /// Every cell passed its gates and nothing regressed against the baseline.
        public var passed: Bool { report.passed && !(diff?.hasRegressions ?? false) }
    }

    public let request: Request
    public let manifest: Manifest
    public let plan: CellPlan
    public let folder: URL
    let baselineReport: Report?
    var metadata: RunMetadata

    public init(_ request: Request) throws(RunSessionError) {
        self.request = request
        do { manifest = try Manifest.load(corpus: URL(fileURLWithPath: request.corpus)) } catch { throw .setup(String(describing: error)) }
        do {
            let full = try CellPlan(manifest: manifest, paths: request.paths)
            plan = request.shard.map { full.sharded($0) } ?? full
        } catch {
            throw .setup(String(describing: error))
        }
        if let environment = request.shardEnvironment {
            do { try environment.touchStatusFile() } catch { throw .setup(error.description) }
        }
        do { baselineReport = try request.baseline.map { try Report.load(URL(fileURLWithPath: $0)) } } catch { throw .setup(String(describing: error)) }
        metadata = RunMetadata.current(plan: plan, corpusPath: request.corpus, manifestDigest: manifest.digest, latencyGated: request.gateLatency)
        metadata.shardSource = request.shardEnvironment?.source
        folder = request.out.map { URL(fileURLWithPath: $0) } ?? ReportWriter.defaultFolder(root: URL(fileURLWithPath: "Reports"), runId: metadata.runId)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw .setup("\(folder.path): cannot create the report folder: \(error.localizedDescription)")
        }
    }

    /// Runs the cells, writes the reports and compares with the baseline.
    ///
    /// - Parameters:
    ///   - stop: set by an interrupt: no further cell starts, the finished ones are reported.
    ///   - progress: called as each cell finishes.
    public func run(stop: RunStop, progress: (CellResult) -> Void) throws -> Outcome {
        let runner = Runner(manifest: manifest, plan: plan,
                            modelsFolder: folder.appendingPathComponent("models"), settings: request.settings, executable: request.executable)
        let results = try runner.run(stop: stop, progress: progress)
        var metadata = self.metadata
        let interrupted = stop.isRequested
        if interrupted { metadata.interrupt() } else { metadata.finish() }
        let report = Report(metadata: metadata, results: results)
        _ = try ReportWriter.write(report, to: folder)
        if request.out == nil { try? ReportWriter.updateLatestLink(to: folder) }
        var diff: ReportDiff?
        if let baselineReport, !interrupted {
            diff = try ReportDiff(old: baselineReport, new: report, oldName: request.baseline ?? "baseline", newName: "this run")
        }
        return Outcome(report: report, folder: folder, interrupted: interrupted, plannedCells: plan.cells.count, diff: diff)
    }
}

/// Why a run could not start: a bad manifest, path list, shard, baseline or report folder.
public enum RunSessionError: Error, CustomStringConvertible {
    case setup(String)

    public var description: String {
        switch self {
        case .setup(let message): message
        }
    }
}
