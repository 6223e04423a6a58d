import ModelIR

/// What a fast-plan rule may look at besides the step it rewrites: the steps left after constant
/// folding, the step producing each slot, the constants, and the integer weights and biases behind
/// folded DequantizeLinear steps.
struct FastRewriteContext {
    let steps: [PreparedGraph.Step]
    /// Slot → index in `steps` of the step that writes it.
    let producer: [Int: Int]
    let known: [RuntimeValue?]
    let weights: [Int: QuantizedPlan.WeightSource]
    let biases: [Int: QuantizedPlan.BiasSource]
    let slotNames: [String]

    /// The step that writes `slot`, if a step does.
    func producerStep(of slot: Int?) -> PreparedGraph.Step? {
        slot.flatMap { producer[$0] }.map { steps[$0] }
    }
}

/// A one-step rule of the fast plan: the step that takes `step`'s place, or nil when the rule does
/// not apply to it.
typealias FastRewrite = @Sendable (PreparedGraph.Step, FastRewriteContext) -> PreparedGraph.Step?

extension FastPlan {
    /// The one-step rules, the one list of them: the first that applies replaces the step. Conv
    /// with what follows it is fused after these (`fuse`), as it takes several steps' place.
    static let rewrites: [(name: String, rewrite: FastRewrite)] = [
        ("Relu, Erf and Sigmoid", { step, _ in FastUnary.replacing(step).map { step.replacingKernel($0) } }),
        ("LRN", { step, _ in
            guard step.domain.isEmpty, step.opType == "LRN", let lrn = step.kernel as? LRN_1 else { return nil }
            return step.replacingKernel(FastLRN(lrn: lrn))
        }),
        ("per-channel affine", { step, context in ChannelAffineFusion.normalization(step, known: context.known) }),
        ("integer Gemm and MatMul", { step, context in
            guard step.opType == "Gemm" || step.opType == "MatMul" else { return nil }
            return QuantizedPlan.gemm(step, producer: context.producerStep(of: step.inputs.first ?? nil), weights: context.weights,
                                      biases: context.biases, known: context.known, slotNames: context.slotNames)
        }),
        ("integer Add", { step, context in
            guard step.opType == "Add" else { return nil }
            return QuantizedPlan.add(step, producers: step.inputs.map { context.producerStep(of: $0) }, known: context.known,
                                     slotNames: context.slotNames)
        }),
        ("QuantizeLinear", { step, _ in
            guard step.domain.isEmpty, step.opType == "QuantizeLinear", let quantize = step.kernel as? QuantizeLinear_10 else { return nil }
            return step.replacingKernel(FastQuantizeLinear(fallback: quantize))
        }),
        ("DequantizeLinear", { step, _ in
            guard step.domain.isEmpty, step.opType == "DequantizeLinear", let dequantize = step.kernel as? DequantizeLinear_10 else { return nil }
            return step.replacingKernel(FastDequantizeLinear(fallback: dequantize))
        }),
        ("MatMul with constant weights", { step, context in
            guard step.domain.isEmpty, step.opType == "MatMul", step.inputs.count == 2,
                  let matmul = FastMatMul.replacing(weight: step.inputs[1].flatMap { context.known[$0]?.tensor }) else { return nil }
            return step.replacingKernel(matmul)
        }),
        ("Gemm", { step, context in
            guard step.domain.isEmpty, step.opType == "Gemm", let gemm = step.kernel as? Gemm_1 else { return nil }
            let weight = step.inputs.count > 1 ? step.inputs[1].flatMap { context.known[$0]?.tensor } : nil
            return step.replacingKernel(FastGemm(gemm: gemm, weight: weight))
        }),
        ("Softmax", { step, _ in
            guard step.domain.isEmpty, step.opType == "Softmax", let softmax = FastSoftmax.replacing(step.kernel) else { return nil }
            return step.replacingKernel(softmax)
        }),
        ("LayerNormalization", { step, _ in
            guard step.domain.isEmpty, let normalization = step.kernel as? LayerNormalization_17,
                  step.outputs.dropFirst().allSatisfy({ $0 == nil }) else { return nil }
            return step.replacingKernel(FastLayerNormalization(fallback: normalization))
        }),
        ("elementwise binary", { step, _ in FastBinary.replacing(step).map { step.replacingKernel($0) } }),
        ("Transpose", { step, _ in
            guard step.domain.isEmpty, step.opType == "Transpose", let transpose = step.kernel as? Transpose_1 else { return nil }
            return step.replacingKernel(FastTranspose(fallback: transpose))
        }),
        ("MaxPool and AveragePool", { step, _ in
            guard step.domain.isEmpty, step.opType == "MaxPool" || step.opType == "AveragePool",
                  let pool = FastPool.replacing(step.kernel, producesIndices: step.outputs.count > 1 && step.outputs[1] != nil) else { return nil }
            return .init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset, inputNames: step.inputNames,
                         kernel: pool, requiredInputs: step.requiredInputs, inputs: step.inputs, outputs: step.outputs, release: step.release)
        }),
        ("ReduceMean", { step, context in
            guard step.domain.isEmpty, step.opType == "ReduceMean",
                  let mean = FastReduceMean.replacing(step.kernel, axesInput: step.inputs.count > 1 ? step.inputs[1].flatMap { context.known[$0]?.tensor } : nil,
                                                      hasAxesInput: step.inputs.count > 1 && step.inputs[1] != nil) else { return nil }
            return step.replacingKernel(mean)
        }),
        ("global pooling", { step, _ in
            guard step.domain.isEmpty else { return nil }
            return FastGlobalPool.replacing(step.kernel).map { step.replacingKernel($0) }
        }),
    ]
}
