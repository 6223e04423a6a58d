import ArgumentParser
import Executor
import Foundation
import Harness
import ModelIR

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure latency and peak memory of a model.",
        discussion: """
            Inputs are generated from the model's input types as onnx's light-model runner does \
            (arange(n).reshape(shape) / n, symbolic dimensions as 1) unless --inputs names .pb files. \
            Peak memory is the process's peak resident set (VmHWM). --profile then repeats the timed runs \
            with each step of the executor's plan timed, and prints the time per kernel and the slowest steps.
            """)
    @Argument(help: "The model file.") var model: String
    @Option(help: "Timed runs.") var iterations = 50
    @Option(help: "Warm-up runs.") var warmup = 5
    @Option(help: "Threads.") var threads = 1
    @Option(help: "Inputs: a folder of input_K.pb files or a .pb file (default: generated).") var inputs: String?
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Also time each step of the plan (in separate runs) and print where the time goes.") var profile = false

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        ExecutorThreads.set(threads)
        ExecutorMemory.reuseFreedBuffers()
        let loaded = try CommandFailure.reporting { try ModelLoader.load(URL(fileURLWithPath: model)) }
        let evaluator = try CommandFailure.reporting { () throws -> Evaluator in
            do { return try Evaluator(model: loaded) } catch { throw CommandFailure("\(model): \(error)") }
        }
        let feeds: [String: RuntimeValue]
        if let inputs {
            let url = URL(fileURLWithPath: inputs)
            feeds = try CommandFailure.reporting { try ValueFiles.format(for: url).readInputs(url, for: loaded.graph) }
        } else {
            feeds = try CommandFailure.reporting { try Self.generatedFeeds(loaded.graph) }
        }
        func once(_ profile: ExecutionProfile? = nil) throws {
            _ = try CommandFailure.reporting { () throws -> ExecutionResult in
                do { return try evaluator.run(feeds, profile: profile) } catch { throw CommandFailure("\(model): \(error)") }
            }
        }
        let samples = try LatencySampler(warmupRuns: warmup, timedRuns: iterations).samples { try once() }
        let sorted = samples.sorted()
        let p50 = LatencyMetrics.percentile(sorted, 50), p90 = LatencyMetrics.percentile(sorted, 90)
        let p99 = LatencyMetrics.percentile(sorted, 99)
        let peak = Self.peakResidentBytes()
        let stepTimes = profile ? ExecutionProfile() : nil
        if let stepTimes { for _ in 0..<iterations { try once(stepTimes) } }
        if json {
            var object: [String: Any] = [
                "model": model, "threads": threads, "iterations": iterations, "warmup": warmup,
                "p50_ms": p50, "p90_ms": p90, "p99_ms": p99, "mean_ms": samples.reduce(0, +) / Double(samples.count),
                "peak_rss_bytes": peak ?? NSNull(),
            ]
            if let stepTimes { object["profile"] = Self.kernelRows(stepTimes).map { ["kernel": $0.kernel, "steps": $0.steps, "ms_per_run": $0.ms] } }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(model)  threads \(threads)  \(iterations) runs after \(warmup) warm-up")
            print(String(format: "p50 %.3f ms  p90 %.3f ms  p99 %.3f ms", p50, p90, p99))
            print("peak memory " + (peak.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "unknown"))
            if let stepTimes { Self.printProfile(stepTimes) }
        }
    }

    /// Milliseconds per run of each kernel, largest first.
    static func kernelRows(_ profile: ExecutionProfile) -> [(kernel: String, steps: Int, ms: Double)] {
        let runs = Double(max(profile.runs, 1))
        return profile.byKernel.map { ($0.kernel, $0.steps, Double($0.nanoseconds) / 1e6 / runs) }
    }

    /// The time per kernel and the ten slowest steps, per run.
    static func printProfile(_ profile: ExecutionProfile) {
        let runs = Double(max(profile.runs, 1))
        let rows = kernelRows(profile)
        let total = rows.reduce(0) { $0 + $1.ms }
        print(String(format: "\nper run, %.3f ms in %d steps:", total, profile.entries.count))
        for row in rows {
            print(String(format: "  %8.3f ms  %5.1f %%  %4d  ", row.ms, total > 0 ? 100 * row.ms / total : 0, row.steps) + row.kernel)
        }
        print("slowest steps:")
        for entry in profile.entries.sorted(by: { $0.nanoseconds > $1.nanoseconds }).prefix(10) {
            print(String(format: "  %8.3f ms  ", Double(entry.nanoseconds) / 1e6 / runs) + "\(entry.node) (\(entry.kernel))")
        }
    }

    /// One tensor per fed input: `arange(n).reshape(shape) / n` in the input's element type.
    static func generatedFeeds(_ graph: Graph) throws -> [String: RuntimeValue] {
        var feeds: [String: RuntimeValue] = [:]
        for input in graph.feedInputs {
            guard let (elementType, shape) = input.type?.type.tensorType else {
                throw CommandFailure("input '\(input.name)' is not a tensor; pass --inputs")
            }
            let sizes = (shape?.dimensions ?? []).map { $0.dimension.value ?? 1 }
            let count = sizes.reduce(1, *)
            let tensor: Tensor
            if elementType == .float {
                let n = Float(count)
                tensor = try Tensor(shape: sizes, scalars: (0..<count).map { Float($0) / n })
            } else {
                tensor = try Tensor(converting: (0..<count).map { Double($0) / Double(count) }, to: elementType, shape: sizes)
            }
            feeds[input.name] = .tensor(tensor)
        }
        return feeds
    }

    /// VmHWM from /proc/self/status, in bytes.
    static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
        }
        return nil
    }
}
