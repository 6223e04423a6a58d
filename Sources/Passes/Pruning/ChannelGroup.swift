import ModelIR

/// Where the channels lie in one activation: index `axis` of a rank-`rank` value, each channel a
/// run of `block` consecutive indices along it (after C×H×W is flattened, a channel is H×W rows).
/// After a Concat the axis holds `extent` channels, the group's being those from `offset` on;
/// `extent` nil means the group's channels alone.
struct ChannelLayout: Hashable {
    var rank: Int
    var axis: Int
    var block: Int = 1
    var offset: Int = 0
    var extent: Int? = nil

    var isSegment: Bool { offset != 0 || extent != nil }
}

/// One constant to cut down to the kept channels: input `slot` of node `node`, along `axis`, in runs
/// of `block` elements per channel. An axis that stacks `stacks` copies of the channels (a recurrent
/// layer's gates) loses the same channels from each; an axis read after a Concat holds `extent`
/// channels, the group's from `offset` on, and keeps the others.
struct ChannelEdit: Hashable {
    var node: Int
    var slot: Int
    var axis: Int
    var block: Int = 1
    var stacks: Int = 1
    var offset: Int = 0
    var extent: Int? = nil

    init(node: Int, slot: Int, axis: Int, block: Int = 1, stacks: Int = 1, segment layout: ChannelLayout? = nil) {
        self.node = node
        self.slot = slot
        self.axis = axis
        self.block = block
        self.stacks = stacks
        offset = layout?.offset ?? 0
        extent = layout?.extent
    }
}

/// A set of activations that share one channel index space, and everything that must shrink when a
/// channel is removed from it: the layers that write the channels (producers), the constants that
/// line up with them, the layers that read them (their input channels), depthwise convolutions'
/// `group` and the target shapes of flattening Reshapes.
///
/// Channels are coupled across a group: a residual `Add` of two layers' outputs makes both layers'
/// channel c one channel, so a group has one keep-set for all its producers.
struct ChannelGroup {
    var channels: Int
    /// The weight of each producer, along its output-channel axis.
    var producers: [ChannelEdit] = []
    /// Every constant that shrinks, producers' weights and biases included, in discovery order.
    var edits: [ChannelEdit] = []
    /// Integer attributes that count the channels and become the kept count: a depthwise
    /// convolution's `group`, a recurrent layer's `hidden_size`.
    var counts: [(node: Int, attribute: String)] = []
    /// Reshape target shapes whose entry at `axis` is `channels × block` (or -1, left as is).
    var reshapes: [ChannelEdit] = []
    /// The layout of every activation of the group.
    var values: [String: ChannelLayout] = [:]
}

/// Finds the channel group of a layer's output channels by following the graph both ways from it.
///
/// A group can lose channels only when every reader and writer of every activation in it is
/// understood: element-wise operators (with constants that broadcast or hold one value per
/// channel), BatchNormalization, InstanceNormalization, pooling, depthwise convolutions, Flatten
/// and flattening Reshapes, reductions over other axes, Squeeze, Unsqueeze, Transpose and Concat
/// (the group's channels become a segment of the output's) carry channels through; Conv (group 1), Gemm, MatMul, RNN, GRU and LSTM with constant weights read
/// them (their input channels shrink) or write them (producers; a recurrent layer's hidden units
/// are its channels, in every output and every gate). An activation that is a graph input or output, is read by anything
/// else (Softmax or LayerNormalization across channels, Shape, a subgraph, …) or mixes
/// channels with a value of another layout leaves the whole group unpruned.
struct ChannelGroupFinder {
    let graph: Graph
    let types: ValueTypes
    let readers: [String: [Int]]
    let writers: [String: Int]
    let outputs: Set<String>

    static let elementWise: Set<String> = [
        "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Celu", "HardSigmoid", "HardSwish", "Softsign",
        "Softplus", "Mish", "Gelu", "Erf", "ThresholdedRelu", "Clip", "Dropout", "Identity", "Neg", "Abs", "Sqrt", "Exp",
        "Reciprocal", "Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean", "Pow",
    ]
    static let pools: Set<String> = [
        "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool",
    ]
    /// Recurrent layers and their gate count.
    static let recurrentGates: [String: Int] = ["RNN": 1, "GRU": 3, "LSTM": 4]
    static let reductions: Set<String> = [
        "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceProd",
        "ReduceLogSum", "ReduceLogSumExp",
    ]

    init(graph: Graph, types: ValueTypes) {
        self.graph = graph
        self.types = types
        readers = graph.consumerIndices()
        writers = graph.producerIndex()
        outputs = graph.outputNames
    }

    /// What layer `index` writes, if it is a producer: its weight's output-channel axis, the layout
    /// of its output and the channel count.
    func production(of index: Int) -> (weightAxis: Int, layout: ChannelLayout, channels: Int)? {
        let node = graph.nodes[index]
        guard node.canonicalDomain.isEmpty, node.inputs.count >= 2, !node.outputs.isEmpty,
              graph.constant(node.inputs[0]) == nil,
              let weight = graph.constant(node.inputs[1]), weight.dataType.isFloatingPoint else { return nil }
        switch node.opType {
        case "Conv" where node.int("group", default: 1) == 1 && weight.rank >= 3:
            return (0, ChannelLayout(rank: weight.rank, axis: 1), weight.shape[0])
        case "Gemm" where weight.rank == 2:
            let axis = node.int("transB", default: 0) != 0 ? 0 : 1
            return (axis, ChannelLayout(rank: 2, axis: 1), weight.shape[axis])
        case "MatMul" where weight.rank == 2 && node.inputs.count == 2:
            guard let rank = types.rank(node.outputs[0]), rank >= 1 else { return nil }
            return (1, ChannelLayout(rank: rank, axis: rank - 1), weight.shape[1])
        case let op where Self.recurrentGates[op] != nil && weight.rank == 3:
            let hidden = node.int("hidden_size", default: 0)
            guard hidden > 0, weight.shape[1] == hidden * Self.recurrentGates[op]!, node.inputs.count >= 3,
                  graph.constant(node.inputs[2]) != nil else { return nil }
            return (1, ChannelLayout(rank: 4, axis: 3), hidden)
        default:
            return nil
        }
    }

    /// The group of `producer`'s output channels, nil when it cannot lose channels.
    func group(of producer: Int) -> ChannelGroup? {
        guard let production = production(of: producer) else { return nil }
        var search = ChannelSearch(finder: self, group: ChannelGroup(channels: production.channels))
        do throws(Unprunable) {
            try search.produce(producer)
            try search.exhaust()
            try search.verifyConcats()
        } catch {
            return nil
        }
        return search.group
    }
}
