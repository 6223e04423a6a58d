import ModelIR

/// Structured pruning: removes the output channels of smallest L1 norm from `Conv` (group 1) and
/// `Gemm` layers, and shrinks everything those channels flowed into, so the graph stays valid and
/// gets smaller.
///
/// From each prunable layer the pass follows the single-reader chain of its output through
/// channel-wise operators (activations, pooling, `BatchNormalization` — whose parameters shrink
/// too, `Dropout`, `Identity`) to the next `Conv` (group 1), `Gemm` or `MatMul` with constant
/// weights, whose input channels shrink; through a `Flatten` (axis 1) each channel is a block of
/// rows. A chain that reaches a graph output or anything else leaves the layer alone, as do nodes
/// in `prune_exclude_nodes`. `round(N% × channels)` channels go from each layer (at least one stays).
public struct ChannelPruning: GraphPass {
    public let name = "channel-pruning"
    public let fraction: Double
    let excludedNodes: Set<String>

    static let channelWise: Set<String> = [
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "HardSigmoid", "HardSwish", "Softsign", "Softplus", "Clip",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Dropout", "Identity", "BatchNormalization",
    ]

    public init(percent: Double, options: PassOptions = PassOptions()) throws(PassError) {
        fraction = percent / 100
        excludedNodes = Set(options.list("prune_exclude_nodes") ?? [])
    }

    private struct Plan {
        var producer: Int
        var channelAxis: Int
        var channels: Int
        var norms: Int
        var batchNorms: [Int] = []
        var consumer: Int
        var consumerAxis: Int
        var block: Int = 1
    }

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let types = ValueTypes(inferring: model)
        var names = NameGenerator(model.graph)
        var removedTotal = 0, channelTotal = 0, layers = 0
        for index in model.graph.nodes.indices {
            guard let plan = plan(for: index, in: model.graph, types: types) else { continue }
            let removed = Int((Double(plan.channels) * fraction).rounded())
            guard removed > 0, removed < plan.channels else { continue }
            let producer = model.graph.nodes[plan.producer]
            guard let weight = model.graph.constant(producer.inputs[1]) else { continue }
            let values = try weight.floatValues()
            var norms = [Float](repeating: 0, count: plan.channels)
            var copy = values
            forEachChannel(&copy, shape: weight.shape, axis: plan.channelAxis) { channel, value in norms[channel] += abs(value) }
            let keep = norms.indices.sorted { (norms[$0], $1) > (norms[$1], $0) }.prefix(plan.channels - removed).sorted()
            var graph = model.graph
            func shrink(node: Int, slot: Int, axis: Int, block: Int = 1) throws {
                guard slot < graph.nodes[node].inputs.count, let tensor = graph.constant(graph.nodes[node].inputs[slot]) else { return }
                let (newValues, newShape) = try select(tensor, axis: axis, keep: Array(keep), block: block)
                let name = names.fresh(tensor.name + "_pruned")
                graph.initializers.append(try Tensor(name: name, converting: newValues, to: tensor.dataType, shape: newShape))
                graph.nodes[node].inputs[slot] = name
            }
            try shrink(node: plan.producer, slot: 1, axis: plan.channelAxis)
            if producer.inputs.count > 2, !producer.inputs[2].isEmpty, let bias = graph.constant(producer.inputs[2]) {
                guard bias.elementCount == plan.channels else { continue }
                let flat = try bias.reshaped(to: [plan.channels])
                let (newValues, _) = try select(flat, axis: 0, keep: Array(keep), block: 1)
                let name = names.fresh(bias.name + "_pruned")
                graph.initializers.append(try Tensor(name: name, converting: newValues, to: bias.dataType, shape: [keep.count]))
                graph.nodes[plan.producer].inputs[2] = name
            }
            for norm in plan.batchNorms {
                for slot in 1...4 { try shrink(node: norm, slot: slot, axis: 0) }
            }
            try shrink(node: plan.consumer, slot: 1, axis: plan.consumerAxis, block: plan.block)
            model.graph = graph
            removedTotal += removed
            channelTotal += plan.channels
            layers += 1
        }
        guard layers > 0 else { return false }
        context.report(.info, "pruned-channels", "\(removedTotal) of \(channelTotal) output channels removed from \(layers) layers ("
                       + percentText(removedTotal, channelTotal) + ", L1 norm)")
        return true
    }

    private func plan(for index: Int, in graph: Graph, types: ValueTypes) -> Plan? {
        let node = graph.nodes[index]
        guard node.canonicalDomain.isEmpty, !excludedNodes.contains(node.name), node.inputs.count >= 2,
              let weight = graph.constant(node.inputs[1]), weight.dataType == .float else { return nil }
        let axis: Int
        switch node.opType {
        case "Conv":
            guard node.int("group", default: 1) == 1, weight.rank >= 3 else { return nil }
            axis = 0
        case "Gemm":
            guard weight.rank == 2 else { return nil }
            axis = node.int("transB", default: 0) != 0 ? 0 : 1
        default: return nil
        }
        let channels = weight.shape[axis]
        var plan = Plan(producer: index, channelAxis: axis, channels: channels, norms: 0, consumer: -1, consumerAxis: 0)
        let consumers = graph.consumerIndices()
        var value = node.outputs[0]
        var flattenBlock: Int?
        while true {
            guard !graph.outputNames.contains(value), let readers = consumers[value], readers.count == 1 else { return nil }
            let reader = graph.nodes[readers[0]]
            guard reader.canonicalDomain.isEmpty, reader.inputs.first == value,
                  reader.inputs.dropFirst().allSatisfy({ $0.isEmpty || graph.constant($0) != nil }) else { return nil }
            if flattenBlock == nil, Self.channelWise.contains(reader.opType) {
                if reader.opType == "BatchNormalization" {
                    guard (1...4).allSatisfy({ graph.constant(reader.inputs[$0])?.elementCount == channels }),
                          reader.outputs.dropFirst().allSatisfy({ $0.isEmpty || consumers[$0] == nil }) else { return nil }
                    plan.batchNorms.append(readers[0])
                }
                if reader.opType == "Clip" || reader.opType == "Dropout" {
                    guard reader.inputs.dropFirst().allSatisfy({ $0.isEmpty || (graph.constant($0)?.elementCount ?? 0) <= 1 }) else { return nil }
                }
                value = reader.outputs[0]
                continue
            }
            if flattenBlock == nil, reader.opType == "Flatten", reader.int("axis", default: 1) == 1,
               let shape = types.fixedShape(value), shape.count >= 2, shape[1] == channels {
                flattenBlock = shape[2...].reduce(1, *)
                value = reader.outputs[0]
                continue
            }
            guard reader.inputs.count >= 2, let next = graph.constant(reader.inputs[1]), next.dataType == .float else { return nil }
            let block = flattenBlock ?? 1
            switch reader.opType {
            case "Conv" where flattenBlock == nil && reader.int("group", default: 1) == 1 && next.rank >= 3 && next.shape[1] == channels:
                plan.consumerAxis = 1
            case "Gemm" where reader.int("transA", default: 0) == 0 && next.rank == 2:
                plan.consumerAxis = reader.int("transB", default: 0) != 0 ? 1 : 0
                guard next.shape[plan.consumerAxis] == channels * block, node.opType == "Conv" || flattenBlock == nil || block == 1 else { return nil }
            case "MatMul" where next.rank == 2 && next.shape[0] == channels * block && (types.rank(value) == 2):
                plan.consumerAxis = 0
            default:
                return nil
            }
            if node.opType == "Gemm" && flattenBlock != nil { return nil }
            if node.opType == "Conv" && reader.opType != "Conv" && flattenBlock == nil { return nil }
            plan.consumer = readers[0]
            plan.block = block
            return plan
        }
    }

    /// The elements of `tensor` at the kept channel blocks along `axis`, and the new shape.
    private func select(_ tensor: Tensor, axis: Int, keep: [Int], block: Int) throws -> ([Double], [Int]) {
        let values = try tensor.doubleValues()
        let (outer, count, inner) = slices(of: tensor.shape, axis: axis)
        var result: [Double] = []
        result.reserveCapacity(outer * keep.count * block * inner)
        for o in 0..<outer {
            for channel in keep {
                for b in 0..<block {
                    let row = channel * block + b
                    guard row < count else { continue }
                    let start = (o * count + row) * inner
                    result.append(contentsOf: values[start..<(start + inner)])
                }
            }
        }
        var shape = tensor.shape
        shape[axis] = keep.count * block
        return (result, shape)
    }
}
