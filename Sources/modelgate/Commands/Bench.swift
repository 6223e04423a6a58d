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
        let feeds = try CommandFailure.reporting { () throws -> [String: RuntimeValue] in
            guard let inputs else { return try ModelBenchmark.generatedFeeds(loaded.graph) }
            let url = URL(fileURLWithPath: inputs)
            return try ValueFiles.format(for: url).readInputs(url, for: loaded.graph)
        }
        let result = try CommandFailure.reporting { () throws -> ModelBenchmark.Result in
            do { return try ModelBenchmark(warmupRuns: warmup, timedRuns: iterations, profiles: profile).measure(evaluator, feeds: feeds) } catch {
                throw CommandFailure("\(model): \(error)")
            }
        }
        if json {
            var object: [String: Any] = [
                "model": model, "threads": threads, "iterations": iterations, "warmup": warmup,
                "p50_ms": result.p50Ms, "p90_ms": result.p90Ms, "p99_ms": result.p99Ms, "mean_ms": result.meanMs,
                "peak_rss_bytes": result.peakResidentBytes ?? NSNull(),
            ]
            if profile { object["profile"] = result.kernelRows.map { ["kernel": $0.kernel, "steps": $0.steps, "ms_per_run": $0.ms] } }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(model)  threads \(threads)  \(iterations) runs after \(warmup) warm-up")
            print(String(format: "p50 %.3f ms  p90 %.3f ms  p99 %.3f ms", result.p50Ms, result.p90Ms, result.p99Ms))
            print("peak memory " + (result.peakResidentBytes.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "unknown"))
            if let steps = result.profile { Self.printProfile(steps, rows: result.kernelRows) }
        }
    }

    /// The time per kernel and the ten slowest steps, per run.
    static func printProfile(_ profile: ExecutionProfile, rows: [(kernel: String, steps: Int, ms: Double)]) {
        let runs = Double(max(profile.runs, 1))
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
}
