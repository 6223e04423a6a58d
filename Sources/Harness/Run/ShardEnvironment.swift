import Foundation

/// The shard a run takes from the environment of the engine that started it, the way test shards
/// are handed out there:
///
/// - Bazel's test sharding protocol: `TEST_TOTAL_SHARDS` and the 0-based `TEST_SHARD_INDEX`; the run
///   touches `TEST_SHARD_STATUS_FILE` when it is set, to say it supports sharding.
/// - Kubernetes Indexed Jobs: the 0-based `JOB_COMPLETION_INDEX`; the count is the Job's
///   `completions`, which the pod does not see, so it comes from `--shard-count` or
///   `MODELGATE_SHARD_COUNT`.
/// - GitLab CI `parallel:`: the 1-based `CI_NODE_INDEX` and `CI_NODE_TOTAL`.
///
/// Bazel's variables win over Kubernetes', Kubernetes' over GitLab's.
public struct ShardEnvironment: Sendable, Equatable {
    /// The shard, 1-based as `run --shard k/n` writes it.
    public var shard: Shard
    /// Which engine and variables it came from, e.g. `Bazel (TEST_SHARD_INDEX=0, TEST_TOTAL_SHARDS=4)`.
    public var source: String
    /// The file Bazel asks a sharding-aware test to touch.
    public var statusFile: String?

    /// The variables that name a shard, for messages.
    public static let variables = ["TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX", "JOB_COMPLETION_INDEX", "CI_NODE_INDEX", "CI_NODE_TOTAL"]

    /// The shard `environment` names, or nil when it names none.
    ///
    /// - Parameter count: the shard count from `--shard-count`, for a Kubernetes Indexed Job.
    /// - Throws: `ShardEnvironmentError` naming the variable that is missing, not a number or out
    ///   of range.
    public static func resolve(_ environment: [String: String], count: Int? = nil) throws(ShardEnvironmentError) -> ShardEnvironment? {
        if environment["TEST_TOTAL_SHARDS"] != nil || environment["TEST_SHARD_INDEX"] != nil {
            let total = try number("TEST_TOTAL_SHARDS", in: environment)
            let index = try number("TEST_SHARD_INDEX", in: environment)
            return try make(index: index + 1, count: total, indexVariable: "TEST_SHARD_INDEX", countVariable: "TEST_TOTAL_SHARDS",
                            source: "Bazel (TEST_SHARD_INDEX=\(index), TEST_TOTAL_SHARDS=\(total))",
                            statusFile: environment["TEST_SHARD_STATUS_FILE"].flatMap { $0.isEmpty ? nil : $0 })
        }
        if environment["JOB_COMPLETION_INDEX"] != nil {
            let index = try number("JOB_COMPLETION_INDEX", in: environment)
            let total: Int
            let countVariable: String
            if let count {
                (total, countVariable) = (count, "--shard-count")
            } else if environment["MODELGATE_SHARD_COUNT"] != nil {
                (total, countVariable) = (try number("MODELGATE_SHARD_COUNT", in: environment), "MODELGATE_SHARD_COUNT")
            } else {
                throw .missingCount
            }
            return try make(index: index + 1, count: total, indexVariable: "JOB_COMPLETION_INDEX", countVariable: countVariable,
                            source: "Kubernetes Indexed Job (JOB_COMPLETION_INDEX=\(index), \(countVariable)=\(total))", statusFile: nil)
        }
        if environment["CI_NODE_INDEX"] != nil || environment["CI_NODE_TOTAL"] != nil {
            let index = try number("CI_NODE_INDEX", in: environment)
            let total = try number("CI_NODE_TOTAL", in: environment)
            return try make(index: index, count: total, indexVariable: "CI_NODE_INDEX", countVariable: "CI_NODE_TOTAL",
                            source: "GitLab CI (CI_NODE_INDEX=\(index), CI_NODE_TOTAL=\(total))", statusFile: nil)
        }
        return nil
    }

    /// Touches Bazel's status file (creating it empty, or updating its time), when there is one.
    ///
    /// - Throws: `ShardEnvironmentError.statusFile` when it cannot be written.
    public func touchStatusFile() throws(ShardEnvironmentError) {
        guard let statusFile else { return }
        let url = URL(fileURLWithPath: statusFile)
        if FileManager.default.fileExists(atPath: url.path) {
            do { try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: url.path) } catch {
                throw .statusFile(path: statusFile, reason: error.localizedDescription)
            }
        } else if !FileManager.default.createFile(atPath: url.path, contents: Data()) {
            throw .statusFile(path: statusFile, reason: "cannot create it")
        }
    }

    private static func number(_ variable: String, in environment: [String: String]) throws(ShardEnvironmentError) -> Int {
        guard let text = environment[variable] else { throw .missing(variable) }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else { throw .notANumber(variable, text) }
        return value
    }

    private static func make(index: Int, count: Int, indexVariable: String, countVariable: String, source: String,
                             statusFile: String?) throws(ShardEnvironmentError) -> ShardEnvironment {
        guard count >= 1 else { throw .outOfRange("\(countVariable) is \(count); a shard count is at least 1") }
        guard (1...count).contains(index) else {
            throw .outOfRange("\(indexVariable) gives shard \(index) of \(count) (\(source)); it must be one of the \(count) shards")
        }
        let shard: Shard
        do { shard = try Shard(index: index, count: count) } catch { throw .outOfRange(error.description) }
        return ShardEnvironment(shard: shard, source: source, statusFile: statusFile)
    }
}

/// Why the environment's shard variables cannot be used.
public enum ShardEnvironmentError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case notANumber(String, String)
    case outOfRange(String)
    case missingCount
    case noVariables
    case statusFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let variable): "the shard variable \(variable) is not set, but the others of its engine are"
        case let .notANumber(variable, text): "the shard variable \(variable) is '\(text)', not a whole number"
        case .outOfRange(let reason): reason
        case .missingCount:
            "JOB_COMPLETION_INDEX is set but not the shard count: pass --shard-count N or set MODELGATE_SHARD_COUNT to the Job's completions"
        case .noVariables:
            "--shard auto found no shard variables (\(ShardEnvironment.variables.joined(separator: ", "))); pass --shard k/n instead"
        case let .statusFile(path, reason): "\(path): cannot touch Bazel's TEST_SHARD_STATUS_FILE: \(reason)"
        }
    }
}
