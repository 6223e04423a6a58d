#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ModelIR

/// The plan a run takes when the caller feeds no initializer: every step whose inputs are all
/// constant is computed once here (the weights the light models make with ConstantOfShape, shape
/// arithmetic), and Conv steps absorb a following BatchNormalization and Relu/Clip
/// (`FusedConv`), which then run channels-last with the layout-free steps between them
/// (`ChannelsLastRegions`); the steps that compute from shapes reuse the previous run's results
/// while the shapes match (`ShapeArithmetic`). The graph itself is unchanged; runs that capture
/// intermediates or override an initializer take the step-by-step plan.
enum FastPlan {
    /// True when the environment sets `MODELGATE_REFERENCE_PLAN=1`: every run takes the
    /// step-by-step plan, for comparing the two on whole suites.
    static let isDisabled = getenv("MODELGATE_REFERENCE_PLAN").map { String(cString: $0) == "1" } ?? false

    /// Operators whose result may differ between runs.
    static let nondeterministic: Set<String> = [
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout",
    ]
    /// Operators that run subgraphs reading names from the enclosing scope; never folded.
    static let scoped: Set<String> = ["If", "Loop", "Scan", "SequenceMap"]

    /// The fast plan for `graph`, or nil when it would not differ from `graph`. Values that
    /// subgraphs read by name (`scopeReads`) are kept as graph outputs are: never folded away or
    /// absorbed into a fused step.
    static func make(_ graph: PreparedGraph) -> PreparedGraph? {
        guard graph.freeVariables.isEmpty else { return nil }
        let analysed = graph.scopeReads.isEmpty ? graph : graph.retaining(graph.scopeReads)
        var known = [RuntimeValue?](repeating: nil, count: graph.slotNames.count)
        for constant in graph.constants { known[constant.slot] = constant.value }
        let weights = QuantizedPlan.weightSources(graph.steps, known: known)
        let biases = QuantizedPlan.biasSources(graph.steps, known: known)
        let frame = Frame(graph: graph, parent: nil)
        let context = KernelContext(frame: frame)
        var remaining: [PreparedGraph.Step] = []
        var folded = false
        for step in graph.steps {
            if foldable(step, known), let results = try? step.kernel.run(step.inputs.map { $0.flatMap { known[$0] } }, context: context),
               step.outputs.enumerated().allSatisfy({ $0.element == nil || ($0.offset < results.count && results[$0.offset] != nil) }) {
                for (index, slot) in step.outputs.enumerated() {
                    if let slot { known[slot] = results[index] }
                }
                folded = true
            } else {
                remaining.append(step)
            }
        }
        var fused = FastUnary.fusingSiLU(fuse(ChannelAffineFusion.fused(remaining, graph: analysed, known: known), graph: analysed,
                                              known: known, weights: weights, biases: biases), graph: analysed)
        if fused.contains(where: { $0.kernel is FastQuantizeLinear || $0.kernel is FastDequantizeLinear }) {
            fused = QuantizedPlan.pruned(QuantizedPlan.absorbingQuantization(QuantizedPlan.pruned(fused, graph: analysed), graph: analysed, known: known),
                                         graph: analysed)
        }
        let referenceKernels = Set(remaining.map { ObjectIdentifier(type(of: $0.kernel)) })
        guard folded || fused.count != remaining.count
                || fused.contains(where: { !referenceKernels.contains(ObjectIdentifier(type(of: $0.kernel))) }) else { return nil }
        let (planned, slotNames) = ChannelsLastRegions.applied(fused, graph: analysed, known: known)
        var read = Set<Int>()
        for step in planned { for slot in step.inputs { if let slot { read.insert(slot) } } }
        for port in analysed.outputs { read.insert(port.slot) }
        let constants = known.enumerated().compactMap { slot, value in value.flatMap { read.contains(slot) ? (slot, $0) : nil } }
        return PreparedGraph(name: graph.name, slotNames: slotNames, inputs: graph.inputs, outputs: graph.outputs,
                             constants: constants, freeVariables: [], steps: planned, scopeReads: graph.scopeReads,
                             shapeArithmetic: ShapeArithmetic.analysing(planned, slotCount: slotNames.count, constants: constants.map(\.0)))
    }

    private static func foldable(_ step: PreparedGraph.Step, _ known: [RuntimeValue?]) -> Bool {
        guard !nondeterministic.contains(step.opType) || !step.domain.isEmpty else { return false }
        guard !scoped.contains(step.opType) || !step.domain.isEmpty else { return false }
        guard !(step.kernel is FunctionCall) else { return false }
        return step.inputs.allSatisfy { $0 == nil || known[$0!] != nil }
    }

    /// Every step the one-step rules of `rewrites` replace, in their order; then Conv (float,
    /// constant weights) followed by its only reader BatchNormalization (constant statistics)
    /// and/or Relu or Clip becomes one `FusedConv` step, or one `QuantizedConv` step when its input
    /// and weights are dequantized integers (`weights`: the int8 weights behind folded
    /// DequantizeLinear steps, `biases` the int32 biases behind others).
    private static func fuse(_ steps: [PreparedGraph.Step], graph: PreparedGraph, known: [RuntimeValue?],
                             weights: [Int: QuantizedPlan.WeightSource], biases: [Int: QuantizedPlan.BiasSource]) -> [PreparedGraph.Step] {
        let readers = graph.readerCounts(steps)
        var producer: [Int: Int] = [:]
        for (index, step) in steps.enumerated() { for slot in step.outputs { if let slot { producer[slot] = index } } }
        func soleReader(of slot: Int, after index: Int) -> Int? {
            guard readers[slot] == 1 else { return nil }
            return steps.indices.dropFirst(index + 1).first { steps[$0].inputs.contains(slot) }
        }
        func isConstant(_ slot: Int?) -> Bool { slot.map { known[$0] != nil } ?? true }

        let context = FastRewriteContext(steps: steps, producer: producer, known: known, weights: weights, biases: biases,
                                         slotNames: graph.slotNames)
        var result: [PreparedGraph.Step] = []
        var skip = Set<Int>()
        for (index, step) in steps.enumerated() {
            if skip.contains(index) { continue }
            if let rewritten = Self.rewrites.lazy.compactMap({ $0.rewrite(step, context) }).first {
                result.append(rewritten)
                continue
            }
            guard step.opType == "Conv", step.domain.isEmpty, let conv = step.kernel as? Conv_1,
                  step.inputs.count >= 2, let weightSlot = step.inputs[1], let weight = known[weightSlot]?.tensor,
                  weight.dataType == .float, weight.rank == 4, step.inputs.count < 3 || isConstant(step.inputs[2]),
                  let output = step.outputs.first ?? nil, step.outputs.count == 1 else {
                result.append(step)
                continue
            }
            var last = step
            var consumed: [Int] = []
            var normalization: FusedConv.Normalization?
            var activation: FusedConv.Activation = .none
            var current = output
            if let next = soleReader(of: current, after: index), steps[next].opType == "BatchNormalization",
               steps[next].domain.isEmpty, let bn = steps[next].kernel as? any InferenceBatchNormalization,
               bn.fusable, steps[next].inputs.count == 5, steps[next].inputs[0] == current,
               steps[next].inputs[1...].allSatisfy({ isConstant($0) }),
               steps[next].outputs.count >= 1, let out = steps[next].outputs[0],
               steps[next].outputs.dropFirst().allSatisfy({ $0 == nil }) {
                normalization = .init(epsilon: bn.epsilonValue, inputs: Array(steps[next].inputs[1...]).map { $0! })
                consumed.append(next)
                last = steps[next]
                current = out
            }
            if let next = soleReader(of: current, after: consumed.last ?? index), steps[next].domain.isEmpty,
               steps[next].inputs.first == current, let out = steps[next].outputs.first ?? nil {
                if steps[next].opType == "Relu" {
                    activation = .relu
                } else if steps[next].opType == "Clip", let clip = ChannelAffineFusion.clipBounds(steps[next], known: known) {
                    activation = .clip(clip.low, clip.high)
                }
                if case .none = activation {} else {
                    consumed.append(next)
                    last = steps[next]
                    current = out
                }
            }
            var following: FastChannelAffine?
            if case .none = activation, weights[weightSlot] == nil,
               let next = soleReader(of: current, after: consumed.last ?? index), let affine = steps[next].kernel as? FastChannelAffine,
               steps[next].inputs == [current], let out = steps[next].outputs.first ?? nil,
               (try? affine.coefficients(channels: weight.shape[0], rank: 4)) != nil {
                following = affine
                consumed.append(next)
                current = out
            }
            for position in consumed { skip.insert(position) }
            var inputs = step.inputs
            while inputs.count < 3 { inputs.append(nil) }
            if let normalization { inputs += normalization.inputs.map { Optional($0) } }
            var release = step.release
            for position in consumed { release += steps[position].release }
            release.removeAll { $0 == current }
            let kernel = FusedConv(conv: conv, normalization: normalization.map { FusedConv.Normalization(epsilon: $0.epsilon, inputs: []) },
                                   activation: activation, following: following)
            var inputNames = step.inputNames
            while inputNames.count < 3 { inputNames.append("") }
            inputNames += normalization != nil ? Array(last.inputNames.dropFirst()) : []
            if let source = weights[weightSlot], source.scale.elementCount == 1 || source.axis == 0,
               let activation = QuantizedPlan.activation(of: step.inputs[0], producer: step.inputs[0].flatMap { producer[$0] }.map { steps[$0] },
                                                         known: known),
               let quantized = QuantizedConv(fused: kernel, input: activation.parameters, weight: source.weight, scale: source.scale,
                                             bias: step.inputs.count > 2 ? step.inputs[2].flatMap { biases[$0] } : nil)?
                   .preparing(constants: inputs.map { $0.flatMap { known[$0]?.tensor } }) {
                inputs[0] = activation.slot
                inputs[1] = nil
                inputNames[0] = graph.slotNames[activation.slot]
                inputNames[1] = ""
                result.append(.init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset,
                                    inputNames: inputNames, kernel: quantized, requiredInputs: 1, inputs: inputs,
                                    outputs: [current], release: release))
                continue
            }
            let prepared = ChannelsLastRegions.appliesTo(graph) ? kernel
                : kernel.preparing(weight: weight, constants: inputs.map { $0.flatMap { known[$0]?.tensor } })
            result.append(.init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset,
                                inputNames: inputNames, kernel: prepared, requiredInputs: step.requiredInputs, inputs: inputs,
                                outputs: [current], release: release))
        }
        return result
    }
}

extension PreparedGraph {
    /// How many of `steps` read each slot, with 2 more for each of the graph's outputs, so that a
    /// count of 1 means one step and nothing else reads it.
    func readerCounts(_ steps: [Step]) -> [Int] {
        var readers = [Int](repeating: 0, count: slotNames.count)
        for step in steps { for slot in step.inputs { if let slot { readers[slot] += 1 } } }
        for port in outputs { readers[port.slot] += 2 }
        return readers
    }

    /// This graph with `slots` added to its outputs, for analyses that must leave them computed.
    func retaining(_ slots: Set<Int>) -> PreparedGraph {
        let extra = slots.sorted().filter { slot in !outputs.contains { $0.slot == slot } }
            .map { Port(name: slotNames[$0], slot: $0, type: nil) }
        return PreparedGraph(name: name, slotNames: slotNames, inputs: inputs, outputs: outputs + extra,
                             constants: constants, freeVariables: freeVariables, steps: steps, scopeReads: scopeReads)
    }
}

extension PreparedGraph.Step {
    /// This step run by `kernel`.
    func replacingKernel(_ kernel: any Kernel) -> PreparedGraph.Step {
        .init(label: label, opType: opType, domain: domain, opset: opset, inputNames: inputNames, kernel: kernel,
              requiredInputs: requiredInputs, inputs: inputs, outputs: outputs, release: release)
    }
}
