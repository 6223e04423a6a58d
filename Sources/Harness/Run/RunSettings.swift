/// How a run measures each cell; the same for every cell of a run.
public struct RunSettings: Sendable, Hashable, Codable {
    /// Cells run at the same time.
    public var jobs: Int
    /// Seconds a cell may take before it is stopped and recorded as an error.
    public var timeoutSeconds: Double
    /// Timed runs at batch 1 (p50/p90 are taken over these).
    public var latencyRuns: Int
    /// Untimed runs before the timed ones.
    public var warmupRuns: Int
    /// Seconds the latency runs of one measurement may take (`LatencySampler.budgetSeconds`),
    /// nil for no limit: a slow model is timed fewer times than `latencyRuns`.
    public var latencyBudgetSeconds: Double?
    /// Samples per executor run when the model's batch dimension is free.
    public var batchSize: Int
    /// Golden samples run with intermediates captured when a failing cell is diagnosed.
    public var diagnosisSamples: Int
    /// The cell cache folder (`CellCache`), nil for none.
    public var cacheFolder: String?
    /// Run a cell whose result is cached again on its cached conversion, so latency is measured anew.
    public var remeasureLatency: Bool
    /// Which cells' converted models stay in the models folder once judged.
    public var keptModels: KeptModels = .all

    /// Which converted models a run keeps: a corpus of hundreds of models writes as many files per path.
    public enum KeptModels: String, Sendable, Hashable, Codable, CaseIterable {
        /// Every cell's.
        case all
        /// Those of cells whose verdict, latency budgets aside, is not pass: what a failure is read from.
        case failed
        /// None: the reports alone.
        case none

        /// True when the model of a cell with `verdict` stays.
        public func keeps(_ verdict: Verdict) -> Bool {
            switch self {
            case .all: true
            case .failed: verdict.status != .pass
            case .none: false
            }
        }
    }

    public init(jobs: Int = 1, timeoutSeconds: Double = 600, latencyRuns: Int = 20, warmupRuns: Int = 3, latencyBudgetSeconds: Double? = 10,
                batchSize: Int = 64, diagnosisSamples: Int = 32, cacheFolder: String? = nil, remeasureLatency: Bool = false) {
        self.jobs = max(1, jobs)
        self.timeoutSeconds = timeoutSeconds
        self.latencyRuns = max(0, latencyRuns)
        self.warmupRuns = max(0, warmupRuns)
        self.latencyBudgetSeconds = latencyBudgetSeconds.flatMap { $0 > 0 ? $0 : nil }
        self.batchSize = max(1, batchSize)
        self.diagnosisSamples = max(1, diagnosisSamples)
        self.cacheFolder = cacheFolder
        self.remeasureLatency = remeasureLatency
    }

    /// Threads each cell's executor and matrix library may use so that `jobs` cells together fill `cores`.
    public func threadsPerCell(cores: Int) -> Int {
        max(1, cores / jobs)
    }
}
