import ModelIR

/// The fast plan's float convolutions run channels-last (`ChannelsLastConv`), and so do the steps
/// between them that do not care where the channel axis is, so that a network pays for a layout
/// change only where a region of such values begins or ends.
///
/// A value is channels-last when a `ChannelsLastConv` writes it, or when a layout-free step reads
/// only channels-last values besides single-element constants of rank 4 or less: an elementwise
/// operator (with several operands, all of rank 4, broadcasting alike in both layouts), a
/// per-channel affine chain (`FastChannelAffine`, then along the last axis), a 2-D max or average
/// pool (`ChannelsLastPool`), an LRN (`ChannelsLastLRN`), a Concat along the channel axis (which
/// becomes a Concat along the last axis), a Slice or Split of a channels-last value, whatever its
/// bounds and sizes (`ChannelsLastSlice`, `ChannelsLastSplit`: their axes moved) or ShuffleNet's
/// channel shuffle (`ChannelsLastShuffle`, its shapes constant or computed at run time). A `Shape`
/// of a channels-last value reads it in place (`ChannelsLastShape`) and `Size` as it is. A
/// Transpose (0, 2, 3, 1) of a channels-last value is that value, and a convolution reading a
/// Transpose (0, 3, 1, 2) reads the Transpose's input as its channels-last input (ConvNeXt and Swin
/// permute around their convolutions themselves; a Transpose nothing reads any more is dropped). A
/// global pool reads a channels-last value directly: its [N, C, 1, 1] result is the same either way.
/// A residual Add of a convolution's channels-last output and an earlier value, and then a ReLU,
/// sigmoid, SiLU, HardSwish or HardSigmoid step, run inside that convolution as oneDNN post-ops
/// (`ChannelsLastConv.Residual`, `ChannelsLastConv.Activation`).
/// Every channels-last value gets a slot of its own; the original slot is written by a
/// `ChannelsLastReorder` back to [N, C, H, W] just before its first reader that is not
/// layout-free, or after the producer when it is an output of the graph, so every other step and
/// every output sees what it saw before.
enum ChannelsLastRegions {
    /// Elementwise operators whose result at each position depends only on their operands at that position.
    static let layoutFree: Set<String> = [
        "Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Elu", "Selu", "Celu", "Erf", "Exp", "Log",
        "Neg", "Abs", "Sqrt", "Reciprocal", "Softplus", "Softsign", "Mish", "Gelu", "Identity", "Floor", "Ceil", "Round",
        "Clip", "Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean", "Pow", "PRelu",
    ]

    /// True when the pass runs on `graph`'s plan: channels-last convolutions are on and no subgraph
    /// reads the graph's values by name. `FastPlan` leaves the convolutions' weights unpacked then.
    static func appliesTo(_ graph: PreparedGraph) -> Bool {
        ChannelsLastConv.isEnabled && graph.scopeReads.isEmpty
    }

    /// `steps` (a fast plan's, in order) with its float convolutions channels-last, and the slot
    /// names with the new slots appended. Returns the input unchanged when the graph has values its
    /// subgraphs read by name, or no convolution to convert.
    static func applied(_ steps: [PreparedGraph.Step], graph: PreparedGraph,
                        known: [RuntimeValue?]) -> (steps: [PreparedGraph.Step], slotNames: [String]) {
        guard appliesTo(graph), steps.contains(where: { convertible($0, known: known) }) else { return (steps, graph.slotNames) }
        var slotNames = graph.slotNames
        let outputs = Set(graph.outputs.map(\.slot))
        var channelsLast: [Int: Int] = [:]
        var channelsFirstWritten = Set<Int>()
        var entries: [Int: Int] = [:]
        var result: [PreparedGraph.Step] = []

        func newSlot(_ name: String) -> Int {
            slotNames.append(name)
            return slotNames.count - 1
        }
        func reorder(_ label: String, from: Int, to: Int, toChannelsLast: Bool) -> PreparedGraph.Step {
            .init(label: label, opType: "Transpose", domain: "", opset: 1, inputNames: [slotNames[from]],
                  kernel: ChannelsLastReorder(toChannelsLast: toChannelsLast), requiredInputs: 1,
                  inputs: [from], outputs: [to], release: [])
        }
        func materialize(_ slot: Int) {
            guard let source = channelsLast[slot], !channelsFirstWritten.contains(slot) else { return }
            channelsFirstWritten.insert(slot)
            result.append(reorder("\(slotNames[slot])/to_nchw", from: source, to: slot, toChannelsLast: false))
        }
        func isSingleConstant(_ slot: Int?) -> Bool {
            slot.map { known[$0]?.tensor.map { $0.elementCount == 1 && $0.rank <= 4 } ?? false } ?? true
        }

        var producers: [Int: Int] = [:]
        for (index, step) in steps.enumerated() { for slot in step.outputs { if let slot { producers[slot] = index } } }
        let readers = graph.readerCounts(steps)
        var skipped = Set<Int>()
        var shuffles: [Int: PreparedGraph.Step] = [:]
        for (index, step) in steps.enumerated() {
            if skipped.contains(index) { continue }
            if let shuffle = shuffles[index], let y = step.outputs[0] {
                result.append(shuffle)
                if outputs.contains(y) { materialize(y) }
                continue
            }
            if let x = step.inputs.first ?? nil, let source = channelsLast[x],
               let (shuffle, consumed, shapes) = channelShuffle(at: index, steps, readers: readers, known: known) {
                let y = steps[consumed.last!].outputs[0]!
                let target = newSlot("\(slotNames[y])/nhwc")
                channelsLast[y] = target
                skipped.formUnion(consumed.dropLast())
                shuffles[consumed.last!] = .init(label: step.label, opType: "ChannelShuffle", domain: "", opset: 1,
                                                 inputNames: [slotNames[x]] + shapes.map { slotNames[$0] }, kernel: shuffle,
                                                 requiredInputs: 3, inputs: [source] + shapes.map { Optional($0) },
                                                 outputs: [target], release: [])
                continue
            }
            if step.domain.isEmpty, step.opType == "Transpose", transposePermutation(step.kernel) == [0, 2, 3, 1],
               let x = step.inputs.first ?? nil, let source = channelsLast[x], step.outputs.count == 1 {
                result.append(.init(label: step.label, opType: "Identity", domain: "", opset: 1, inputNames: step.inputNames,
                                    kernel: Identity_1(), requiredInputs: 1, inputs: [source], outputs: step.outputs,
                                    release: step.release))
                continue
            }
            if let pool = step.kernel as? FastGlobalPool, !pool.channelsLast, step.inputs.count == 1,
               let x = step.inputs[0], let source = channelsLast[x] {
                result.append(.init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset,
                                    inputNames: step.inputNames, kernel: pool.onChannelsLast, requiredInputs: step.requiredInputs,
                                    inputs: [source], outputs: step.outputs, release: step.release))
                continue
            }
            if convertible(step, known: known), let fused = step.kernel as? FusedConv, let x = step.inputs[0], let y = step.outputs[0] {
                let source: Int
                if let last = channelsLast[x] {
                    source = last
                } else if let entry = entries[x] {
                    source = entry
                } else if let producer = producers[x], steps[producer].domain.isEmpty, steps[producer].opType == "Transpose",
                          transposePermutation(steps[producer].kernel) == [0, 3, 1, 2], let t = steps[producer].inputs.first ?? nil {
                    source = t
                    entries[x] = t
                } else {
                    source = newSlot("\(slotNames[x])/nhwc")
                    entries[x] = source
                    result.append(reorder("\(slotNames[x])/to_nhwc", from: x, to: source, toChannelsLast: true))
                }
                let target = newSlot("\(slotNames[y])/nhwc")
                channelsLast[y] = target
                var inputs = step.inputs
                inputs[0] = source
                result.append(.init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset,
                                    inputNames: step.inputNames, kernel: ChannelsLastConv(fused: fused),
                                    requiredInputs: step.requiredInputs, inputs: inputs, outputs: [target], release: step.release))
                if outputs.contains(y) { materialize(y) }
                continue
            }
            if step.domain.isEmpty, ["Shape", "Size"].contains(step.opType), step.inputs.count == 1, let x = step.inputs[0],
               let source = channelsLast[x] {
                result.append(.init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset,
                                    inputNames: step.inputNames, kernel: step.opType == "Shape" ? ChannelsLastShape(shape: step.kernel) : step.kernel,
                                    requiredInputs: step.requiredInputs, inputs: [source], outputs: step.outputs, release: step.release))
                continue
            }
            if step.domain.isEmpty, let split = ChannelsLastSplit(step.kernel), let x = step.inputs.first ?? nil, let source = channelsLast[x],
               step.inputs.dropFirst().allSatisfy({ $0.map { channelsLast[$0] == nil } ?? true }) {
                let targets = step.outputs.map { $0.map { y in
                    let target = newSlot("\(slotNames[y])/nhwc")
                    channelsLast[y] = target
                    return target
                } }
                result.append(.init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset,
                                    inputNames: step.inputNames, kernel: split, requiredInputs: step.requiredInputs,
                                    inputs: [source] + step.inputs.dropFirst(), outputs: targets, release: step.release))
                for y in step.outputs.compactMap({ $0 }) where outputs.contains(y) { materialize(y) }
                continue
            }
            let regionInputs = step.inputs.compactMap { $0 }.filter { channelsLast[$0] != nil }
            if !regionInputs.isEmpty, let kernel = layoutFreeKernel(step, channelsLast: channelsLast, isSingleConstant: isSingleConstant),
               let y = step.outputs[0] {
                let target = newSlot("\(slotNames[y])/nhwc")
                channelsLast[y] = target
                result.append(.init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset,
                                    inputNames: step.inputNames, kernel: kernel, requiredInputs: step.requiredInputs,
                                    inputs: step.inputs.map { $0.map { channelsLast[$0] ?? $0 } }, outputs: [target],
                                    release: step.release))
                if outputs.contains(y) { materialize(y) }
                continue
            }
            for slot in regionInputs { materialize(slot) }
            result.append(step)
        }
        var read = outputs
        for step in result { for slot in step.inputs { if let slot { read.insert(slot) } } }
        let live = result.filter { step in
            !(step.opType == "Transpose" && step.domain.isEmpty && step.outputs.allSatisfy { $0.map { !read.contains($0) } ?? true })
        }
        return (released(absorbingEpilogues(live, outputs: outputs), outputs: outputs), slotNames)
    }

    /// `steps` with what follows a channels-last convolution run inside it: an Add of its output
    /// (read by nothing else) and a value computed before it (a residual connection), then an
    /// activation step (`ChannelsLastConv.Activation`) whose only input is the result, read by
    /// nothing else.
    private static func absorbingEpilogues(_ steps: [PreparedGraph.Step], outputs: Set<Int>) -> [PreparedGraph.Step] {
        var readers: [Int: [Int]] = [:]
        var producer: [Int: Int] = [:]
        for (index, step) in steps.enumerated() {
            for slot in step.inputs { if let slot { readers[slot, default: []].append(index) } }
            for slot in step.outputs { if let slot { producer[slot] = index } }
        }
        func soleReader(of slot: Int) -> Int? {
            guard !outputs.contains(slot), let sole = readers[slot], sole.count == 1 else { return nil }
            return sole[0]
        }
        var result = steps
        var absorbed = Set<Int>()
        for (index, step) in steps.enumerated() {
            guard var conv = step.kernel as? ChannelsLastConv, conv.residual == nil, conv.activation == .identity,
                  step.outputs.count == 1, var y = step.outputs[0] else { continue }
            var inputs = step.inputs
            var consumed: [Int] = []
            if let next = soleReader(of: y), steps[next].domain.isEmpty, ["Add", "Sum"].contains(steps[next].opType),
               steps[next].inputs.count == 2, steps[next].inputs.filter({ $0 == y }).count == 1,
               let other = steps[next].inputs.first(where: { $0 != y }) ?? nil, let source = producer[other], source < index,
               steps[next].outputs.count == 1, let sum = steps[next].outputs[0] {
                conv = conv.adding(.init(input: inputs.count, add: steps[next].kernel, convolutionFirst: steps[next].inputs[0] == y))
                inputs.append(other)
                consumed.append(next)
                y = sum
            }
            if let next = soleReader(of: y), steps[next].domain.isEmpty, steps[next].inputs == [y], steps[next].outputs.count == 1,
               let out = steps[next].outputs[0], let activation = ChannelsLastConv.Activation(of: steps[next].kernel) {
                conv = conv.followed(by: activation)
                consumed.append(next)
                y = out
            }
            guard !consumed.isEmpty else { continue }
            result[index] = .init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset,
                                  inputNames: step.inputNames + inputs.dropFirst(step.inputs.count).map { _ in "residual" },
                                  kernel: conv, requiredInputs: step.requiredInputs, inputs: inputs, outputs: [y], release: [])
            absorbed.formUnion(consumed)
        }
        return result.enumerated().filter { !absorbed.contains($0.offset) }.map(\.element)
    }

    /// ShuffleNet's channel shuffle starting at `steps[index]`: a Reshape (to a shape of rank 5,
    /// [N, g, C/g, H, W], when constant) whose only reader is a Transpose (0, 2, 1, 3, 4) whose only
    /// reader is a Reshape (to a shape of rank 4, when constant); with `allowzero` only to constant
    /// shapes without a zero. Returns the kernel, the indices of the two
    /// later steps and the slots of the two shapes (constant or computed: the kernel checks them on
    /// every run). The shuffle step takes the last Reshape's place, after the steps that compute
    /// its shape.
    private static func channelShuffle(at index: Int, _ steps: [PreparedGraph.Step], readers: [Int],
                                       known: [RuntimeValue?]) -> (ChannelsLastShuffle, consumed: [Int], shapes: [Int])? {
        func soleReader(of step: PreparedGraph.Step, after position: Int) -> Int? {
            guard step.outputs.count == 1, let slot = step.outputs[0], readers[slot] == 1 else { return nil }
            return steps.indices.dropFirst(position + 1).first { steps[$0].inputs.first == slot }
        }
        func reshapeShape(_ step: PreparedGraph.Step, rank: Int) -> Int? {
            guard step.domain.isEmpty, let reshape = step.kernel as? Reshape_5, step.inputs.count == 2, let slot = step.inputs[1] else { return nil }
            guard let shape = known[slot]?.tensor else { return reshape.allowZero ? nil : slot }
            return shape.elementCount == rank && (!reshape.allowZero || (try? shape.indexValues().contains(0)) == false) ? slot : nil
        }
        let first = steps[index]
        guard let grouping = reshapeShape(first, rank: 5),
              let t = soleReader(of: first, after: index), steps[t].domain.isEmpty, steps[t].opType == "Transpose",
              steps[t].inputs.count == 1, transposePermutation(steps[t].kernel) == [0, 2, 1, 3, 4],
              let r = soleReader(of: steps[t], after: t), let merging = reshapeShape(steps[r], rank: 4),
              steps[r].inputs.first == steps[t].outputs.first else { return nil }
        return (ChannelsLastShuffle(steps: [first.kernel, steps[t].kernel, steps[r].kernel]), [t, r], [grouping, merging])
    }

    private static func transposePermutation(_ kernel: any Kernel) -> [Int]? {
        if let transpose = kernel as? FastTranspose { return transpose.fallback.permutation }
        return (kernel as? Transpose_1)?.permutation
    }

    /// A fused float Conv with constant 4-D weights.
    private static func convertible(_ step: PreparedGraph.Step, known: [RuntimeValue?]) -> Bool {
        guard step.kernel is FusedConv, step.inputs.count >= 2,
              let x = step.inputs[0], known[x] == nil, let w = step.inputs[1], let weight = known[w]?.tensor,
              step.outputs.count == 1, step.outputs[0] != nil else { return false }
        return weight.dataType == .float && weight.rank == 4
    }

    /// The kernel `step` runs with its channels-last inputs in place, or nil when it is not
    /// layout-free for these inputs. A step that absorbed a QuantizeLinear or DequantizeLinear
    /// (`Mul+QuantizeLinear`) is not, by its op type: it reads or writes integers and ends the region.
    private static func layoutFreeKernel(_ step: PreparedGraph.Step, channelsLast: [Int: Int],
                                         isSingleConstant: (Int?) -> Bool) -> (any Kernel)? {
        guard step.domain.isEmpty, step.outputs.count == 1 else { return nil }
        let othersFit = step.inputs.allSatisfy { slot in slot.map { channelsLast[$0] != nil } ?? true || isSingleConstant(slot) }
        if let affine = step.kernel as? FastChannelAffine, !affine.channelsLast, step.inputs.count == 1 {
            return affine.onChannelsLast
        }
        if let pool = step.kernel as? FastPool, ChannelsLastPool.accepts(pool), step.inputs.count == 1 {
            return ChannelsLastPool(pool: pool)
        }
        if let lrn = step.kernel as? FastLRN, step.inputs.count == 1 {
            return ChannelsLastLRN(fast: lrn)
        }
        if step.kernel is FastUnary || layoutFree.contains(step.opType) {
            return othersFit ? step.kernel : nil
        }
        if step.kernel is Slice_10, step.inputs.count >= 3, step.inputs[0].map({ channelsLast[$0] != nil }) ?? false,
           step.inputs.dropFirst().allSatisfy({ $0.map { channelsLast[$0] == nil } ?? true }) {
            return ChannelsLastSlice()
        }
        if step.opType == "Concat", let axis = concatAxis(step.kernel), axis == 1 || axis == -3,
           step.inputs.allSatisfy({ $0.map { channelsLast[$0] != nil } ?? false }) {
            return Concat_4(axis: 3)
        }
        return nil
    }

    private static func concatAxis(_ kernel: any Kernel) -> Int? {
        if let concat = kernel as? Concat_4 { return concat.axis }
        if let concat = kernel as? Concat_1 { return concat.axis }
        return nil
    }

    /// `steps` with their release lists made anew: every slot, except the graph's outputs, released
    /// after the last step that reads or writes it (the region's steps read some slots later than
    /// the steps they replace did).
    private static func released(_ steps: [PreparedGraph.Step], outputs: Set<Int>) -> [PreparedGraph.Step] {
        var lastUse: [Int: Int] = [:]
        for (index, step) in steps.enumerated() {
            for slot in step.inputs.compactMap({ $0 }) + step.outputs.compactMap({ $0 }) { lastUse[slot] = index }
        }
        var releases = [[Int]](repeating: [], count: steps.count)
        for (slot, index) in lastUse where !outputs.contains(slot) { releases[index].append(slot) }
        return steps.enumerated().map { index, step in
            .init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset, inputNames: step.inputNames,
                  kernel: step.kernel, requiredInputs: step.requiredInputs, inputs: step.inputs, outputs: step.outputs,
                  release: releases[index].sorted())
        }
    }
}
