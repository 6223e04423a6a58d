/// Where a failing cell starts to diverge from the fp32 graph: intermediate tensors compared node
/// by node in execution order.
public struct Diagnosis: Sendable, Hashable, Codable {
    /// One node's output compared with the same tensor of the fp32 graph.
    public struct NodeDeviation: Sendable, Hashable, Codable {
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
    public var nodes: [NodeDeviation]

    public init(firstDivergingNode: String? = nil, firstDivergingOp: String? = nil, thresholdSNRdB: Double, nodes: [NodeDeviation]) {
        self.firstDivergingNode = firstDivergingNode
        self.firstDivergingOp = firstDivergingOp
        self.thresholdSNRdB = thresholdSNRdB
        self.nodes = nodes
    }

    /// Marks the first node (in the given execution order) whose SNR is below `thresholdSNRdB`.
    public init(nodes: [NodeDeviation], thresholdSNRdB: Double) {
        let first = nodes.first { $0.snrDB < thresholdSNRdB }
        self.init(firstDivergingNode: first?.node, firstDivergingOp: first?.op, thresholdSNRdB: thresholdSNRdB, nodes: nodes)
    }
}
