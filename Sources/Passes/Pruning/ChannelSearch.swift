import ModelIR

/// Why a channel group cannot be pruned; the group is left alone.
struct Unprunable: Error {}

/// The flood fill behind `ChannelGroupFinder.group(of:)`.
struct ChannelSearch {
    let finder: ChannelGroupFinder
    var group: ChannelGroup
    private var pending: [String] = []
    private var produced: Set<Int> = []
    private var consumed: Set<Int> = []
    private var carried: Set<Int> = []
    private var concats: [Int] = []

    init(finder: ChannelGroupFinder, group: ChannelGroup) {
        self.finder = finder
        self.group = group
    }

    private var graph: Graph { finder.graph }
    private var channels: Int { group.channels }

    mutating func exhaust() throws(Unprunable) {
        while let value = pending.popLast() {
            guard let writer = finder.writers[value] else { throw Unprunable() }
            if !produced.contains(writer) && !carried.contains(writer) {
                if let production = finder.production(of: writer) {
                    let recurrent = ChannelGroupFinder.recurrentGates[graph.nodes[writer].opType] != nil
                    let layout = recurrent && graph.nodes[writer].outputs[0] != value ? ChannelLayout(rank: 3, axis: 2) : production.layout
                    guard layout == group.values[value] else { throw Unprunable() }
                    try produce(writer)
                } else {
                    try carry(writer)
                }
            }
            for reader in finder.readers[value] ?? [] where !consumed.contains(reader) && !carried.contains(reader) {
                if try !consume(reader, value) { try carry(reader) }
            }
        }
    }

    /// Adds `value` to the group with `layout`.
    private mutating func add(_ value: String, _ layout: ChannelLayout) throws(Unprunable) {
        if let known = group.values[value] {
            guard known == layout else { throw Unprunable() }
            return
        }
        guard !finder.outputs.contains(value), graph.constant(value) == nil else { throw Unprunable() }
        if let shape = finder.types.shape(value) {
            guard shape.rank == layout.rank else { throw Unprunable() }
            if let size = shape.dimensions[layout.axis].dimension.value, size != (layout.extent ?? channels) * layout.block { throw Unprunable() }
        }
        group.values[value] = layout
        pending.append(value)
    }

    private mutating func edit(_ edit: ChannelEdit) throws(Unprunable) {
        guard let tensor = graph.constant(graph.nodes[edit.node].inputs[edit.slot]), edit.axis < tensor.rank,
              tensor.shape[edit.axis] == (edit.extent ?? channels) * edit.block * edit.stacks,
              edit.offset + channels <= (edit.extent ?? channels) else { throw Unprunable() }
        if !group.edits.contains(edit) { group.edits.append(edit) }
    }

    mutating func produce(_ index: Int) throws(Unprunable) {
        guard let production = finder.production(of: index), production.channels == channels else { throw Unprunable() }
        produced.insert(index)
        let node = graph.nodes[index]
        if let gates = ChannelGroupFinder.recurrentGates[node.opType] {
            try produceRecurrent(index, gates: gates)
            return
        }
        let weight = ChannelEdit(node: index, slot: 1, axis: production.weightAxis)
        group.producers.append(weight)
        try edit(weight)
        if node.inputs.count > 2, !node.inputs[2].isEmpty {
            if node.opType == "Conv" {
                try edit(ChannelEdit(node: index, slot: 2, axis: 0))
            } else {
                try alignConstant(node: index, slot: 2, with: production.layout)
            }
        }
        try add(node.outputs[0], production.layout)
    }

    /// A recurrent layer's hidden units: the rows of every gate in W, R and B (and the peepholes P),
    /// R's columns (the units read their own state), the initial states, `hidden_size`, and the
    /// outputs Y ([T, directions, batch, H]), Y_h and Y_c ([directions, batch, H]).
    private mutating func produceRecurrent(_ index: Int, gates: Int) throws(Unprunable) {
        let node = graph.nodes[index]
        guard node.int("layout", default: 0) == 0 else { throw Unprunable() }
        let weight = ChannelEdit(node: index, slot: 1, axis: 1, stacks: gates)
        group.producers.append(weight)
        try edit(weight)
        try edit(ChannelEdit(node: index, slot: 2, axis: 1, stacks: gates))
        try edit(ChannelEdit(node: index, slot: 2, axis: 2))
        let optional: [(slot: Int, axis: Int, stacks: Int)] = [(3, 1, 2 * gates), (5, 2, 1), (6, 2, 1), (7, 1, 3)]
        for (slot, axis, stacks) in optional where slot < node.inputs.count && !node.inputs[slot].isEmpty {
            guard graph.constant(node.inputs[slot]) != nil else { throw Unprunable() }
            try edit(ChannelEdit(node: index, slot: slot, axis: axis, stacks: stacks))
        }
        group.counts.append((index, "hidden_size"))
        for (position, output) in node.outputs.enumerated() where !output.isEmpty {
            try add(output, position == 0 ? ChannelLayout(rank: 4, axis: 3) : ChannelLayout(rank: 3, axis: 2))
        }
    }

    /// Takes a layer that reads `value` as its data input and has constant weights; false when
    /// `reader` is not such a layer (it may still carry the channels).
    private mutating func consume(_ reader: Int, _ value: String) throws(Unprunable) -> Bool {
        let node = graph.nodes[reader]
        let gates = ChannelGroupFinder.recurrentGates[node.opType]
        guard node.canonicalDomain.isEmpty, ["Conv", "Gemm", "MatMul"].contains(node.opType) || gates != nil else { return false }
        if node.opType == "Conv" && node.int("group", default: 1) != 1 { return false }
        guard let layout = group.values[value], node.inputs.first == value, !node.inputs.dropFirst().contains(value),
              node.inputs.count >= 2, let weight = graph.constant(node.inputs[1]) else { throw Unprunable() }
        let axis: Int
        switch node.opType {
        case "Conv":
            guard layout.axis == 1, layout.block == 1, weight.rank == layout.rank else { throw Unprunable() }
            axis = 1
        case "Gemm":
            guard node.int("transA", default: 0) == 0, layout.rank == 2, layout.axis == 1, weight.rank == 2 else { throw Unprunable() }
            axis = node.int("transB", default: 0) != 0 ? 1 : 0
        case _ where gates != nil:
            guard node.int("layout", default: 0) == 0, layout.rank == 3, layout.axis == 2, layout.block == 1, weight.rank == 3 else {
                throw Unprunable()
            }
            axis = 2
        default:
            guard layout.axis == layout.rank - 1, weight.rank == 2 else { throw Unprunable() }
            axis = 0
        }
        consumed.insert(reader)
        try edit(ChannelEdit(node: reader, slot: 1, axis: axis, block: layout.block, segment: layout))
        return true
    }

    /// Takes an operator that carries the group's channels from its inputs to its outputs.
    private mutating func carry(_ index: Int) throws(Unprunable) {
        let node = graph.nodes[index]
        guard node.canonicalDomain.isEmpty, node.subgraphs.isEmpty, !node.outputs.isEmpty else { throw Unprunable() }
        carried.insert(index)
        let known = node.inputs.compactMap { group.values[$0] }.first
        if ChannelGroupFinder.elementWise.contains(node.opType) {
            guard let layout = known ?? group.values[node.outputs[0]] else { throw Unprunable() }
            for (slot, name) in node.inputs.enumerated() where !name.isEmpty {
                if graph.constant(name) != nil {
                    try alignConstant(node: index, slot: slot, with: layout)
                } else {
                    guard finder.types.shape(name)?.dimensions[safe: layout.axis]?.dimension.value != nil else { throw Unprunable() }
                    try add(name, layout)
                }
            }
            try add(node.outputs[0], layout)
            try requireUnused(node.outputs.dropFirst())
            return
        }
        // The operators below carry channels from input 0 only, and only forward unless they keep the layout.
        if node.opType == "Conv" {
            try carryDepthwise(index, layout: known ?? group.values[node.outputs[0]])
            return
        }
        if ["BatchNormalization", "InstanceNormalization"].contains(node.opType) || ChannelGroupFinder.pools.contains(node.opType) {
            guard let layout = known ?? group.values[node.outputs[0]], layout.axis == 1, layout.block == 1,
                  layout.rank >= (ChannelGroupFinder.pools.contains(node.opType) ? 3 : 2) else { throw Unprunable() }
            let parameters = node.opType == "BatchNormalization" ? [1, 2, 3, 4] : node.opType == "InstanceNormalization" ? [1, 2] : []
            for slot in parameters {
                guard slot < node.inputs.count, let tensor = graph.constant(node.inputs[slot]), tensor.rank == 1 else { throw Unprunable() }
                try edit(ChannelEdit(node: index, slot: slot, axis: 0, segment: layout))
            }
            guard node.inputs.dropFirst(parameters.count + 1).allSatisfy(\.isEmpty) else { throw Unprunable() }
            try add(node.inputs[0], layout)
            try add(node.outputs[0], layout)
            try requireUnused(node.outputs.dropFirst())
            return
        }
        if node.opType == "Concat" {
            try carryConcat(index)
            return
        }
        guard let layout = group.values[node.inputs[0]], !node.inputs.dropFirst().contains(where: { group.values[$0] != nil }),
              group.values[node.outputs[0]] == nil, layout.block == 1 else { throw Unprunable() }
        var next = try reshaped(layout, by: index)
        next.offset = layout.offset
        next.extent = layout.extent
        try add(node.outputs[0], next)
        try requireUnused(node.outputs.dropFirst())
    }

    /// A Concat along the channel axis places the group's channels at an offset within the output's;
    /// the group may enter it through one input only (checked again by `verifyConcats`).
    private mutating func carryConcat(_ index: Int) throws(Unprunable) {
        let node = graph.nodes[index]
        let entries = node.inputs.enumerated().filter { group.values[$0.element] != nil }
        guard entries.count == 1, let layout = group.values[entries[0].element], layout.block == 1,
              group.values[node.outputs[0]] == nil else { throw Unprunable() }
        let axis = node.int("axis", default: 1)
        guard axis == layout.axis || axis == layout.axis - layout.rank else { throw Unprunable() }
        var sizes: [Int] = []
        for input in node.inputs {
            guard let size = finder.types.shape(input)?.dimensions[safe: layout.axis]?.dimension.value else { throw Unprunable() }
            sizes.append(size)
        }
        var next = layout
        next.offset = sizes[..<entries[0].offset].reduce(0, +) + layout.offset
        next.extent = sizes.reduce(0, +)
        concats.append(index)
        try add(node.outputs[0], next)
    }

    /// Every Concat the group passes through takes it through exactly one input.
    func verifyConcats() throws(Unprunable) {
        for index in concats where graph.nodes[index].inputs.filter({ group.values[$0] != nil }).count != 1 { throw Unprunable() }
    }

    /// A depthwise convolution (one filter per channel) keeps the layout; its filters and bias shrink.
    private mutating func carryDepthwise(_ index: Int, layout: ChannelLayout?) throws(Unprunable) {
        let node = graph.nodes[index]
        guard let layout, !layout.isSegment, layout.axis == 1, layout.block == 1, node.int("group", default: 1) == channels,
              node.inputs.count >= 2, let weight = graph.constant(node.inputs[1]),
              weight.rank == layout.rank, weight.shape[0] == channels, weight.shape[1] == 1 else { throw Unprunable() }
        try edit(ChannelEdit(node: index, slot: 1, axis: 0))
        if node.inputs.count > 2, !node.inputs[2].isEmpty { try edit(ChannelEdit(node: index, slot: 2, axis: 0)) }
        group.counts.append((index, "group"))
        try add(node.inputs[0], layout)
        try add(node.outputs[0], layout)
    }

    /// The layout after a Flatten, flattening Reshape, reduction over other axes or Transpose.
    private mutating func reshaped(_ layout: ChannelLayout, by index: Int) throws(Unprunable) -> ChannelLayout {
        let node = graph.nodes[index]
        let input = node.inputs[0]
        if ["Flatten", "Reshape"].contains(node.opType) && layout.isSegment { throw Unprunable() }
        switch node.opType {
        case "Flatten":
            let axis = node.int("axis", default: 1)
            guard axis == layout.axis || axis == layout.axis - layout.rank,
                  let trailing = trailingSizes(of: input, after: layout.axis) else { throw Unprunable() }
            return ChannelLayout(rank: 2, axis: 1, block: trailing.reduce(1, *))
        case "Reshape":
            // A flatten of the channel axis and everything after it into one last axis: the leading
            // entries copy the input's leading dimensions (0, the same size, or one -1 for all of them).
            guard let trailing = trailingSizes(of: input, after: layout.axis), node.int("allowzero", default: 0) == 0,
                  let leading = finder.types.shape(input)?.dimensions.prefix(layout.axis).map(\.dimension.value),
                  let target = graph.constant(node.inputs[1]), let entries = try? target.int64Values(),
                  entries.count == layout.axis + 1 else { throw Unprunable() }
            let copied = zip(entries, leading).filter { entry, size in entry == 0 || (size != nil && entry == Int64(size!)) }.count
            guard copied == layout.axis || (copied == layout.axis - 1 && entries.prefix(layout.axis).contains(-1)) else { throw Unprunable() }
            let block = trailing.reduce(1, *)
            let entry = entries[layout.axis]
            if entry == Int64(channels * block) {
                group.reshapes.append(ChannelEdit(node: index, slot: 1, axis: layout.axis, block: block))
            } else {
                guard entry == -1 && copied == layout.axis else { throw Unprunable() }
            }
            return ChannelLayout(rank: layout.axis + 1, axis: layout.axis, block: block)
        case let op where ChannelGroupFinder.reductions.contains(op):
            let listed = try listedAxes(of: node)
            let axes = Set(listed.map { Int($0) < 0 ? Int($0) + layout.rank : Int($0) })
            guard !axes.isEmpty, !axes.contains(layout.axis), axes.allSatisfy({ (0..<layout.rank).contains($0) }) else { throw Unprunable() }
            if node.int("keepdims", default: 1) != 0 { return layout }
            return ChannelLayout(rank: layout.rank - axes.count, axis: layout.axis - axes.filter { $0 < layout.axis }.count)
        case "Squeeze", "Unsqueeze":
            let listed = try listedAxes(of: node)
            if node.opType == "Squeeze" {
                let axes = Set(listed.map { Int($0) < 0 ? Int($0) + layout.rank : Int($0) })
                guard !axes.contains(layout.axis) else { throw Unprunable() }
                return ChannelLayout(rank: layout.rank - axes.count, axis: layout.axis - axes.filter { $0 < layout.axis }.count)
            }
            let rank = layout.rank + listed.count
            let inserted = Set(listed.map { Int($0) < 0 ? Int($0) + rank : Int($0) })
            guard inserted.count == listed.count else { throw Unprunable() }
            let kept = (0..<rank).filter { !inserted.contains($0) }
            return ChannelLayout(rank: rank, axis: kept[layout.axis])
        case "Transpose":
            let perm = node.intsAttribute("perm").map { $0.map(Int.init) } ?? Array((0..<layout.rank).reversed())
            guard perm.count == layout.rank, let axis = perm.firstIndex(of: layout.axis) else { throw Unprunable() }
            return ChannelLayout(rank: layout.rank, axis: axis)
        default:
            throw Unprunable()
        }
    }

    /// A constant operand broadcast against an activation of `layout`: it must be a scalar along the
    /// channel axis or hold one entry per channel there (then it shrinks).
    private mutating func alignConstant(node: Int, slot: Int, with layout: ChannelLayout) throws(Unprunable) {
        guard let tensor = graph.constant(graph.nodes[node].inputs[slot]), tensor.rank <= layout.rank else { throw Unprunable() }
        let axis = layout.axis - (layout.rank - tensor.rank)
        guard axis >= 0, tensor.shape[axis] != 1 else { return }
        try edit(ChannelEdit(node: node, slot: slot, axis: axis, block: layout.block, segment: layout))
    }

    /// The `axes` of a reduction, Squeeze or Unsqueeze: the attribute, or the constant second input.
    private func listedAxes(of node: Node) throws(Unprunable) -> [Int64] {
        if let attribute = node.intsAttribute("axes") { return attribute }
        guard node.inputs.count > 1, let tensor = graph.constant(node.inputs[1]), let values = try? tensor.int64Values() else {
            throw Unprunable()
        }
        return values
    }

    /// The fixed sizes of the dimensions of `value` after `axis`, nil when one is not known.
    private func trailingSizes(of value: String, after axis: Int) -> [Int]? {
        guard let dimensions = finder.types.shape(value)?.dimensions, axis < dimensions.count else { return nil }
        let sizes = dimensions[(axis + 1)...].compactMap(\.dimension.value)
        return sizes.count == dimensions.count - axis - 1 ? sizes : nil
    }

    private func requireUnused<S: Sequence<String>>(_ names: S) throws(Unprunable) {
        for name in names where !name.isEmpty {
            guard finder.readers[name] == nil, !finder.outputs.contains(name) else { throw Unprunable() }
        }
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
