import ModelIR

/// Structured pruning: removes the output channels of smallest L1 norm from `Conv` (group 1),
/// `Gemm` and `MatMul` layers with constant weights, and the hidden units of RNN, GRU and LSTM
/// layers, and shrinks everything those channels flow into, so the graph stays valid and gets
/// smaller.
///
/// Channels are removed per `ChannelGroup`: the activations that share one channel index space,
/// followed forwards and backwards through channel-wise operators (activations, BatchNormalization,
/// pooling, depthwise convolutions, element-wise arithmetic with per-channel constants, GELU
/// written out as Erf arithmetic, flattening, reductions over other axes, Concat — after which
/// they are one segment of the concatenation's channels) to the layers that read them, whose input
/// channels shrink. Layers whose outputs are added together (residual
/// connections) form one group and lose the same channels, ranked by the sum of their filters' L1
/// norms. A group that reaches a graph input or output, or an operator that mixes channels
/// (Softmax or LayerNormalization across them, Shape, …), is left alone, as is any group
/// with a layer named in `prune_exclude_nodes`. `round(N% × channels)` channels go from each group
/// (at least one stays).
public struct ChannelPruning: GraphPass {
    public let name = "channel-pruning"
    public let fraction: Double
    let excludedNodes: Set<String>

    public init(percent: Double, options: PassOptions = PassOptions()) throws(PassError) {
        fraction = percent / 100
        excludedNodes = Set(options.list("prune_exclude_nodes") ?? [])
    }

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let finder = ChannelGroupFinder(graph: model.graph, types: ValueTypes(inferring: model))
        var claimed: Set<Int> = []
        var groups: [ChannelGroup] = []
        for index in model.graph.nodes.indices where !claimed.contains(index) {
            guard let group = finder.group(of: index) else { continue }
            claimed.formUnion(group.producers.map(\.node))
            guard !group.producers.contains(where: { excludedNodes.contains(model.graph.nodes[$0.node].name) }) else { continue }
            groups.append(group)
        }
        var names = NameGenerator(model.graph)
        var removedTotal = 0, channelTotal = 0, layers = 0, pruned = 0
        var kept: [(group: ChannelGroup, keep: [Int])] = []
        for group in groups {
            let removed = Int((Double(group.channels) * fraction).rounded())
            guard removed > 0, removed < group.channels else { continue }
            kept.append((group, try keptChannels(of: group, count: group.channels - removed, in: model.graph)))
            removedTotal += removed * group.producers.count
            channelTotal += group.channels * group.producers.count
            layers += group.producers.count
            pruned += 1
        }
        // Groups that meet in a Concat cut one reader's axis in segments: from the last segment
        // back, so that each segment's offset still holds when it is cut.
        let edits = kept.indices.flatMap { index in kept[index].group.edits.map { (index, $0) } }
        for (index, edit) in edits.sorted(by: { $0.1.offset > $1.1.offset }) {
            try apply(edit, channels: kept[index].group.channels, keeping: kept[index].keep, to: &model.graph, names: &names)
        }
        for (group, keep) in kept {
            try finish(group, keeping: keep, in: &model.graph, names: &names)
        }
        guard pruned > 0 else { return false }
        context.report(.info, "pruned-channels", "\(removedTotal) of \(channelTotal) output channels removed from "
                       + counted(layers, "layer") + " in " + counted(pruned, "channel group")
                       + " (" + percentText(removedTotal, channelTotal) + ", L1 norm)")
        return true
    }

    /// The `count` channels with the largest summed L1 norm over the group's producers' filters, in order.
    private func keptChannels(of group: ChannelGroup, count: Int, in graph: Graph) throws -> [Int] {
        var norms = [Float](repeating: 0, count: group.channels)
        for producer in group.producers {
            guard let weight = graph.constant(graph.nodes[producer.node].inputs[producer.slot]) else { continue }
            var values = try weight.floatValues()
            forEachChannel(&values, shape: weight.shape, axis: producer.axis) { index, value in norms[index % group.channels] += abs(value) }
        }
        return norms.indices.sorted { (norms[$0], $1) > (norms[$1], $0) }.prefix(count).sorted()
    }

    private func apply(_ edit: ChannelEdit, channels: Int, keeping keep: [Int], to graph: inout Graph, names: inout NameGenerator) throws {
        guard let tensor = graph.constant(graph.nodes[edit.node].inputs[edit.slot]) else { return }
        let (values, shape) = try select(tensor, channels: channels, edit: edit, keep: keep)
        let name = names.fresh(tensor.name + "_pruned")
        graph.initializers.append(try Tensor(name: name, converting: values, to: tensor.dataType, shape: shape))
        graph.nodes[edit.node].inputs[edit.slot] = name
    }

    /// The attributes and Reshape targets that count the group's channels, and its stale value_info.
    private func finish(_ group: ChannelGroup, keeping keep: [Int], in graph: inout Graph, names: inout NameGenerator) throws {
        for count in group.counts {
            graph.nodes[count.node].setAttribute(count.attribute, .int(Int64(keep.count)))
        }
        for reshape in group.reshapes {
            guard let target = graph.constant(graph.nodes[reshape.node].inputs[reshape.slot]) else { continue }
            var entries = try target.int64Values()
            entries[reshape.axis] = Int64(keep.count * reshape.block)
            let name = names.fresh(target.name + "_pruned")
            graph.initializers.append(try Tensor(name: name, shape: target.shape, scalars: entries))
            graph.nodes[reshape.node].inputs[reshape.slot] = name
        }
        graph.valueInfo.removeAll { group.values[$0.name] != nil }
    }

    /// The elements of `tensor` at the kept channels along `edit.axis` (each a run of `edit.block`
    /// indices, in each of `edit.stacks` stacked copies of the channels; after a Concat, the rows
    /// outside the group's segment stay), and the new shape.
    private func select(_ tensor: Tensor, channels: Int, edit: ChannelEdit, keep: [Int]) throws -> ([Double], [Int]) {
        let values = try tensor.doubleValues()
        let (outer, count, inner) = slices(of: tensor.shape, axis: edit.axis)
        let stack = count / edit.stacks
        let start = edit.offset * edit.block, end = (edit.offset + channels) * edit.block
        guard end <= stack, stack * edit.stacks == count else {
            throw PassError.unsupported(pass: name, node: tensor.name, reason: "its axis \(edit.axis) has \(count) entries, not the \(end) the channel group needs")
        }
        var rows: [Int] = []
        for copy in 0..<edit.stacks {
            let base = copy * stack
            rows += Array(base..<(base + start))
            for channel in keep { rows += (0..<edit.block).map { base + start + channel * edit.block + $0 } }
            rows += Array((base + end)..<(base + stack))
        }
        var result: [Double] = []
        result.reserveCapacity(outer * rows.count * inner)
        for o in 0..<outer {
            for row in rows where row < count {
                let first = (o * count + row) * inner
                result.append(contentsOf: values[first..<(first + inner)])
            }
        }
        var shape = tensor.shape
        shape[edit.axis] = rows.count
        return (result, shape)
    }
}
