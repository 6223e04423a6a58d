/// Times repeated runs of one piece of work: untimed warm-up runs, then timed runs on the
/// monotonic clock. The one latency loop: `run` measures each cell with it, `bench` a model.
public struct LatencySampler: Sendable {
    public var warmupRuns: Int
    public var timedRuns: Int

    public init(warmupRuns: Int, timedRuns: Int) {
        self.warmupRuns = max(0, warmupRuns)
        self.timedRuns = max(0, timedRuns)
    }

    /// The duration of each timed run of `work` in milliseconds, in run order.
    public func samples(_ work: () throws -> Void) rethrows -> [Double] {
        for _ in 0..<warmupRuns { try work() }
        let clock = ContinuousClock()
        var samples: [Double] = []
        samples.reserveCapacity(timedRuns)
        for _ in 0..<timedRuns {
            let elapsed = try clock.measure(work)
            samples.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return samples
    }
}
