import Foundation
import Harness

/// What a report records about its run: the tool, the machine, the corpus and the plan.
public struct RunMetadata: Sendable, Hashable, Codable {
    /// The corpus a report covers; reports merge and diff only within one corpus.
    public struct Corpus: Sendable, Hashable, Codable {
        /// The corpus folder as given on the command line.
        public var path: String
        /// `Manifest.digest` of `corpus.yml`.
        public var manifestDigest: String

        public init(path: String, manifestDigest: String) {
            self.path = path
            self.manifestDigest = manifestDigest
        }
    }

    public var runId: String
    public var toolVersion: String
    public var gitCommit: String?
    public var cpu: String
    public var cpuCount: Int
    public var operatingSystem: String
    /// ISO 8601 UTC.
    public var startedAt: String
    public var finishedAt: String?
    public var durationSeconds: Double
    public var corpus: Corpus
    /// Row order: the models of the whole plan.
    public var models: [String]
    /// Column order: the paths of the whole plan.
    public var paths: [String]
    /// Cells of the whole (unsharded) plan.
    public var plannedCells: Int
    /// The shard this report covers, if it is one.
    public var shard: Shard?
    /// Where the shard came from when the environment named it (`ShardEnvironment.source`), e.g.
    /// `Bazel (TEST_SHARD_INDEX=0, TEST_TOTAL_SHARDS=4)`; nil for `--shard k/n` or no shard.
    public var shardSource: String?
    /// The shards a merged report was made from.
    public var mergedShards: [Shard]?
    /// True when the report holds fewer cells than planned (a shard, or an interrupted run).
    public var incomplete: Bool
    /// True when an interrupt (SIGINT) stopped the run: the finished cells are present, the
    /// others never started or were stopped. Absent (nil) for a run that was not interrupted.
    public var interrupted: Bool?
    /// Whether latency budgets were enforced.
    public var latencyGated: Bool

    public init(runId: String, toolVersion: String = ReportSchema.toolVersion, gitCommit: String?, cpu: String, cpuCount: Int,
                operatingSystem: String, startedAt: String, finishedAt: String? = nil, durationSeconds: Double = 0,
                corpus: Corpus, models: [String], paths: [String], plannedCells: Int, shard: Shard? = nil,
                mergedShards: [Shard]? = nil, incomplete: Bool = false, interrupted: Bool? = nil, latencyGated: Bool = false) {
        self.runId = runId
        self.toolVersion = toolVersion
        self.gitCommit = gitCommit
        self.cpu = cpu
        self.cpuCount = cpuCount
        self.operatingSystem = operatingSystem
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationSeconds = durationSeconds
        self.corpus = corpus
        self.models = models
        self.paths = paths
        self.plannedCells = plannedCells
        self.shard = shard
        self.mergedShards = mergedShards
        self.incomplete = incomplete
        self.interrupted = interrupted
        self.latencyGated = latencyGated
    }

    /// Metadata for a run of `plan` over the corpus at `corpusPath`, starting now on this machine.
    ///
    /// - Parameter repository: where to ask git for the commit (the current folder by default).
    public static func current(plan: CellPlan, corpusPath: String, manifestDigest: String, latencyGated: Bool = false,
                               startedAt: Date = Date(), repository: URL? = nil) -> RunMetadata {
        RunMetadata(runId: runIdentifier(for: startedAt) + (plan.shard.map { "-shard\($0.index)of\($0.count)" } ?? ""),
                    gitCommit: gitCommit(in: repository), cpu: cpuModel(), cpuCount: ProcessInfo.processInfo.activeProcessorCount,
                    operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString,
                    startedAt: timestamp(startedAt), corpus: Corpus(path: corpusPath, manifestDigest: manifestDigest),
                    models: plan.models, paths: plan.paths, plannedCells: plan.plannedCellCount, shard: plan.shard,
                    incomplete: plan.cells.count < plan.plannedCellCount, latencyGated: latencyGated)
    }

    /// Records the end of the run.
    public mutating func finish(at date: Date = Date()) {
        finishedAt = Self.timestamp(date)
        if let start = Self.date(from: startedAt) { durationSeconds = max(0, date.timeIntervalSince(start)) }
    }

    /// Records that an interrupt stopped the run before all its cells finished: `interrupted` and
    /// `incomplete` are set, and the duration runs to `date`; `finishedAt` stays absent.
    public mutating func interrupt(at date: Date = Date()) {
        interrupted = true
        incomplete = true
        finishedAt = nil
        if let start = Self.date(from: startedAt) { durationSeconds = max(0, date.timeIntervalSince(start)) }
    }

    // MARK: Machine facts

    /// `yyyyMMdd-HHmmss` in UTC: the default report folder name.
    public static func runIdentifier(for date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date)
    }

    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    public static func date(from timestamp: String) -> Date? {
        ISO8601DateFormatter().date(from: timestamp)
    }

    /// The `model name` of the first processor in `/proc/cpuinfo`, else the architecture.
    public static func cpuModel(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> String {
        if let cpuinfo {
            for line in cpuinfo.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let key = parts[0].trimmingCharacters(in: .whitespaces)
                if key == "model name" || key == "Model" || key == "cpu model" {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        #if arch(arm64)
        return "arm64"
        #else
        return "x86_64"
        #endif
    }

    /// `git rev-parse HEAD` in `repository`, or nil when git or the repository is missing.
    public static func gitCommit(in repository: URL? = nil) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "HEAD"]
        if let repository { process.currentDirectoryURL = repository }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let commit = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.count == 40 || commit.count == 64 ? commit : nil
    }
}
