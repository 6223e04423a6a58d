/// Size of a cell's model file, and its ratio to the model's fp32 path.
public struct SizeMetrics: Sendable, Hashable, Codable {
    public var bytes: Int
    public var fp32Bytes: Int?
    /// bytes / fp32Bytes.
    public var ratio: Double?

    public init(bytes: Int, fp32Bytes: Int? = nil) {
        self.bytes = bytes
        self.fp32Bytes = fp32Bytes
        ratio = fp32Bytes.flatMap { $0 > 0 ? Double(bytes) / Double($0) : nil }
    }
}

/// Latency at batch 1: warm-up runs, then percentiles over timed runs.
public struct LatencyMetrics: Sendable, Hashable, Codable {
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

/// Where a failing cell starts to diverge from the fp32 graph: intermediate tensors compared node
/// by node in execution order.
public struct Diagnosis: Sendable, Hashable, Codable {
    /// One node's output compared with the same tensor of the fp32 graph.
    public struct NodeError: Sendable, Hashable, Codable {
        public var node: String
        public var op: String
        public var output: String
        public var snrDB: Double
        public var cosine: Double
        public var maxAbsError: Double

        public init(node: String, op: String, output: String, snrDB: Double, cosine: Double, maxAbsError: Double) {
            self.node = node
            self.op = op
            self.output = output
            self.snrDB = snrDB
            self.cosine = cosine
            self.maxAbsError = maxAbsError
        }
    }

    /// The first node whose output falls below the divergence threshold, if any.
    public var firstDivergingNode: String?
    public var firstDivergingOp: String?
    /// The SNR below which a node counts as diverging.
    public var thresholdSNRdB: Double
    public var nodes: [NodeError]

    public init(firstDivergingNode: String? = nil, firstDivergingOp: String? = nil, thresholdSNRdB: Double, nodes: [NodeError]) {
        self.firstDivergingNode = firstDivergingNode
        self.firstDivergingOp = firstDivergingOp
        self.thresholdSNRdB = thresholdSNRdB
        self.nodes = nodes
    }

    /// Marks the first node (in the given execution order) whose SNR is below `thresholdSNRdB`.
    public init(nodes: [NodeError], thresholdSNRdB: Double) {
        let first = nodes.first { $0.snrDB < thresholdSNRdB }
        self.init(firstDivergingNode: first?.node, firstDivergingOp: first?.op, thresholdSNRdB: thresholdSNRdB, nodes: nodes)
    }
}

/// The error a quantization or pruning path introduced in one weight.
public struct WeightError: Sendable, Hashable, Codable {
    public var initializer: String
    public var snrDB: Double
    public var cosine: Double
    public var maxAbsError: Double

    public init(initializer: String, snrDB: Double, cosine: Double, maxAbsError: Double) {
        self.initializer = initializer
        self.snrDB = snrDB
        self.cosine = cosine
        self.maxAbsError = maxAbsError
    }
}
