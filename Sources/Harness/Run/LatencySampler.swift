import Passes

/// Times repeated runs of one piece of work: untimed warm-up runs, then timed runs on the
/// monotonic clock. The one latency loop: `run` measures each cell with it, `bench` a model.
///
/// With a `budgetSeconds`, a slow model is timed fewer times: warm-ups stop once they took a
/// quarter of the budget (after at least one), and timed runs once they took the whole budget
/// (after at least `minimumTimedRuns`). A detector that runs for seconds is then timed three
/// times instead of twenty, and a model that runs in milliseconds is timed as often as asked.
public struct LatencySampler: Sendable {
    public var warmupRuns: Int
    public var timedRuns: Int
    /// Seconds the warm-up and timed runs may take together, nil for no limit.
    public var budgetSeconds: Double?

    /// The fewest timed runs a budget leaves (fewer only when fewer are asked for).
    public static let minimumTimedRuns = 3

    public init(warmupRuns: Int, timedRuns: Int, budgetSeconds: Double? = nil) {
        self.warmupRuns = max(0, warmupRuns)
        self.timedRuns = max(0, timedRuns)
        self.budgetSeconds = budgetSeconds.flatMap { $0 > 0 ? $0 : nil }
    }

    /// The warm-up runs made and the duration of each timed run of `work` in milliseconds, in run order.
    public func measure(_ work: () throws -> Void) rethrows -> (warmupRuns: Int, samplesMs: [Double]) {
        let clock = ContinuousClock()
        var warmups = 0, warmupSeconds = 0.0
        while warmups < warmupRuns {
            warmupSeconds += try clock.measure(work).seconds
            warmups += 1
            if let budgetSeconds, warmupSeconds >= budgetSeconds / 4 { break }
        }
        var samples: [Double] = []
        samples.reserveCapacity(timedRuns)
        var timedSeconds = 0.0
        while samples.count < timedRuns {
            let seconds = try clock.measure(work).seconds
            samples.append(seconds * 1e3)
            timedSeconds += seconds
            if let budgetSeconds, samples.count >= Self.minimumTimedRuns, warmupSeconds + timedSeconds >= budgetSeconds { break }
        }
        return (warmups, samples)
    }

    /// The duration of each timed run of `work` in milliseconds, in run order.
    public func samples(_ work: () throws -> Void) rethrows -> [Double] {
        try measure(work).samplesMs
    }
}
