/// Latency at batch 1: warm-up runs, then percentiles over timed runs.
public struct LatencyMetrics: Sendable, Hashable, Codable {
    /// The samples per run when not 1: a model that fails on one sample but ran its golden batch
    /// (an export that fixed the batch it was traced with inside its computation) is timed on that batch.
    public var batch: Int?
    public var warmupRuns: Int
    public var runs: Int
    public var p50Ms: Double
    public var p90Ms: Double
    public var meanMs: Double
    /// p50 of the model's fp32 path, and p50 / fp32P50Ms.
    public var fp32P50Ms: Double?
    public var ratio: Double?

    public init(warmupRuns: Int, runs: Int, p50Ms: Double, p90Ms: Double, meanMs: Double, fp32P50Ms: Double? = nil) {
        self.warmupRuns = warmupRuns
        self.runs = runs
        self.p50Ms = p50Ms
        self.p90Ms = p90Ms
        self.meanMs = meanMs
        self.fp32P50Ms = fp32P50Ms
        ratio = fp32P50Ms.flatMap { $0 > 0 ? p50Ms / $0 : nil }
    }

    /// Percentiles (nearest rank) of timed runs in milliseconds; nil without samples.
    public init?(samplesMs: [Double], warmupRuns: Int, fp32P50Ms: Double? = nil) {
        guard !samplesMs.isEmpty else { return nil }
        let sorted = samplesMs.sorted()
        self.init(warmupRuns: warmupRuns, runs: sorted.count,
                  p50Ms: Self.percentile(sorted, 50), p90Ms: Self.percentile(sorted, 90),
                  meanMs: sorted.reduce(0, +) / Double(sorted.count), fp32P50Ms: fp32P50Ms)
    }

    /// The nearest-rank percentile of sorted values: the smallest value with at least p % at or below it.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
