import Executor
import Foundation
import ModelIR

/// `modelgate bench`'s measurement: latency percentiles of one model on the executor, the
/// process's peak memory, and optionally where the time goes, kernel by kernel.
public struct ModelBenchmark {
    public var warmupRuns: Int
    public var timedRuns: Int
    /// Also time each step of the plan, in `timedRuns` separate runs.
    public var profiles: Bool

    public init(warmupRuns: Int, timedRuns: Int, profiles: Bool) {
        self.warmupRuns = warmupRuns
        self.timedRuns = timedRuns
        self.profiles = profiles
    }

    /// What one benchmark measured.
    public struct Result {
        public var samplesMs: [Double]
        public var p50Ms: Double
        public var p90Ms: Double
        public var p99Ms: Double
        public var meanMs: Double
        /// VmHWM of this process, nil where /proc is not readable.
        public var peakResidentBytes: Int?
        public var profile: ExecutionProfile?

        /// Milliseconds per run of each kernel, largest first.
        public var kernelRows: [(kernel: String, steps: Int, ms: Double)] {
            guard let profile else { return [] }
            let runs = Double(max(profile.runs, 1))
            return profile.byKernel.map { ($0.kernel, $0.steps, Double($0.nanoseconds) / 1e6 / runs) }
        }
    }

    /// Runs `evaluator` on `feeds`: warm-up, timed runs (`LatencySampler`), then the profiled runs.
    public func measure(_ evaluator: Evaluator, feeds: [String: RuntimeValue]) throws -> Result {
        let samples = try LatencySampler(warmupRuns: warmupRuns, timedRuns: timedRuns).samples { _ = try evaluator.run(feeds) }
        let sorted = samples.sorted()
        let peak = Self.peakResidentBytes()
        var profile: ExecutionProfile?
        if profiles {
            let steps = ExecutionProfile()
            for _ in 0..<timedRuns { _ = try evaluator.run(feeds, profile: steps) }
            profile = steps
        }
        return Result(samplesMs: samples, p50Ms: LatencyMetrics.percentile(sorted, 50), p90Ms: LatencyMetrics.percentile(sorted, 90),
                      p99Ms: LatencyMetrics.percentile(sorted, 99), meanMs: samples.reduce(0, +) / Double(max(samples.count, 1)),
                      peakResidentBytes: peak, profile: profile)
    }

    /// One tensor per fed input, as onnx's light-model runner makes them: `arange(n).reshape(shape) / n`
    /// in the input's element type, symbolic dimensions as 1.
    ///
    /// - Throws: `SampleError.unusable` for an input that is not a tensor.
    public static func generatedFeeds(_ graph: Graph) throws -> [String: RuntimeValue] {
        var feeds: [String: RuntimeValue] = [:]
        for input in graph.feedInputs {
            guard let (elementType, shape) = input.type?.type.tensorType else {
                throw SampleError.unusable(file: "generated inputs", input: input.name, reason: "it is not a tensor; pass --inputs")
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
    public static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
        }
        return nil
    }
}
