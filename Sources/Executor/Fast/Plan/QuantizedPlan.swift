import ModelIR

/// How the fast plan runs QDQ models on integers: which DequantizeLinear steps hold constant int8
/// weights, which ones dequantize a quantized activation, and which steps are left without readers
/// once `QuantizedConv` and `QuantizedGemm` read the integers themselves.
enum QuantizedPlan {
    /// Constant int8 weights behind a DequantizeLinear with zero point 0 (or none).
    struct WeightSource {
        let weight: Tensor
        let scale: Tensor
        /// The axis the scale runs along (normalized); meaningless for a single scale.
        let axis: Int
    }

    /// A quantized activation: the slot of the integer tensor a DequantizeLinear reads, and its parameters.
    struct ActivationSource {
        let slot: Int
        let parameters: ScalarQuantization
    }

    /// For every DequantizeLinear step of `steps` that dequantizes constant int8 values with
    /// constant float scales and a zero zero point: its output slot and what it reads. Computed
    /// before constant folding, which replaces these steps by their float results.
    static func weightSources(_ steps: [PreparedGraph.Step], known: [RuntimeValue?]) -> [Int: WeightSource] {
        var sources: [Int: WeightSource] = [:]
        for step in steps where step.opType == "DequantizeLinear" && step.domain.isEmpty {
            guard let kernel = step.kernel as? DequantizeLinear_10, kernel.blockSize == 0, kernel.outputType == nil || kernel.outputType == .float,
                  step.inputs.count >= 2, let valueSlot = step.inputs[0], let scaleSlot = step.inputs[1],
                  let weight = known[valueSlot]?.tensor, weight.dataType == .int8, weight.rank >= 1,
                  let scale = known[scaleSlot]?.tensor, scale.dataType == .float, scale.rank <= 1,
                  let output = step.outputs.first ?? nil else { continue }
            if step.inputs.count > 2, let zeroSlot = step.inputs[2] {
                guard let zero = known[zeroSlot]?.tensor, zero.dataType == .int8,
                      (try? zero.withElements(Int8.self, { $0.allSatisfy { $0 == 0 } })) == true else { continue }
            }
            let axis = kernel.axis < 0 ? kernel.axis + weight.rank : kernel.axis
            guard scale.elementCount == 1 || (0..<weight.rank).contains(axis) && weight.shape[axis] == scale.elementCount else { continue }
            sources[output] = WeightSource(weight: weight, scale: scale, axis: axis)
        }
        return sources
    }

    /// A bias behind a DequantizeLinear of constant int32 values with zero point 0 (or none): its
    /// values and scales (one, or one per element).
    struct BiasSource {
        let values: [Int32]
        let scales: [Float]

        /// The values when each element's scale is `inputScale · weightScales[m]` (float product),
        /// the scale QLinearConv and QGemm take for their int32 bias; else nil.
        func integerBias(inputScale: Float, weightScales: [Float]) -> [Int32]? {
            guard values.count == weightScales.count, scales.count == 1 || scales.count == values.count else { return nil }
            for m in values.indices where scales[scales.count == 1 ? 0 : m] != inputScale * weightScales[m] { return nil }
            return values
        }
    }

    /// For every DequantizeLinear step of `steps` that dequantizes constant 1-D int32 values with
    /// constant float scales and a zero zero point: its output slot and what it reads. Computed
    /// before constant folding, which replaces these steps by their float results.
    static func biasSources(_ steps: [PreparedGraph.Step], known: [RuntimeValue?]) -> [Int: BiasSource] {
        var sources: [Int: BiasSource] = [:]
        for step in steps where step.opType == "DequantizeLinear" && step.domain.isEmpty {
            guard let kernel = step.kernel as? DequantizeLinear_10, kernel.blockSize == 0, kernel.outputType == nil || kernel.outputType == .float,
                  step.inputs.count >= 2, let valueSlot = step.inputs[0], let scaleSlot = step.inputs[1],
                  let bias = known[valueSlot]?.tensor, bias.dataType == .int32, bias.rank == 1,
                  let scale = known[scaleSlot]?.tensor, scale.dataType == .float, scale.rank <= 1,
                  scale.elementCount == 1 || scale.elementCount == bias.elementCount,
                  let output = step.outputs.first ?? nil,
                  let values = try? bias.withElements(Int32.self, { Array($0) }), let scales = try? scale.floatValues() else { continue }
            if step.inputs.count > 2, let zeroSlot = step.inputs[2] {
                guard let zero = known[zeroSlot]?.tensor, zero.dataType == .int32,
                      (try? zero.withElements(Int32.self, { $0.allSatisfy { $0 == 0 } })) == true else { continue }
            }
            sources[output] = BiasSource(values: values, scales: scales)
        }
        return sources
    }

    /// The quantized activation `slot` is the dequantized value of, when `producer` is a
    /// DequantizeLinear step to float with constant scalar parameters.
    static func activation(of slot: Int?, producer: PreparedGraph.Step?, known: [RuntimeValue?]) -> ActivationSource? {
        guard let slot, let step = producer, step.opType == "DequantizeLinear", step.domain.isEmpty, step.outputs.first == slot,
              let kernel = step.kernel as? DequantizeLinear_10, kernel.blockSize == 0, kernel.outputType == nil || kernel.outputType == .float,
              step.inputs.count >= 2, let valueSlot = step.inputs[0], let scaleSlot = step.inputs[1] else { return nil }
        var zero: Tensor?
        if step.inputs.count > 2, let zeroSlot = step.inputs[2] {
            guard let value = known[zeroSlot]?.tensor else { return nil }
            zero = value
        }
        guard let parameters = ScalarQuantization(scale: known[scaleSlot]?.tensor, zeroPoint: zero) else { return nil }
        return ActivationSource(slot: valueSlot, parameters: parameters)
    }

    /// `steps` without the DequantizeLinear steps no step or graph output reads any more, each
    /// step releasing the slots it is the last to use.
    static func pruned(_ steps: [PreparedGraph.Step], graph: PreparedGraph) -> [PreparedGraph.Step] {
        var readers = [Int](repeating: 0, count: graph.slotNames.count)
        for step in steps { for slot in step.inputs { if let slot { readers[slot] += 1 } } }
        for port in graph.outputs { readers[port.slot] += 1 }
        let kept = steps.filter { step in
            !(step.opType == "DequantizeLinear" && step.domain.isEmpty && step.outputs.allSatisfy { $0.map { readers[$0] == 0 } ?? true })
        }
        var lastUse = [Int](repeating: -1, count: graph.slotNames.count)
        for (position, step) in kept.enumerated() {
            for slot in step.inputs + step.outputs { if let slot { lastUse[slot] = position } }
        }
        let outputs = Set(graph.outputs.map(\.slot))
        var release = [[Int]](repeating: [], count: kept.count)
        for (slot, position) in lastUse.enumerated() where position >= 0 && !outputs.contains(slot) { release[position].append(slot) }
        return kept.enumerated().map { position, step in
            .init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset, inputNames: step.inputNames,
                  kernel: step.kernel, requiredInputs: step.requiredInputs, inputs: step.inputs, outputs: step.outputs,
                  release: release[position])
        }
    }

    /// `step` (Gemm or MatMul) run by `QuantizedGemm` on the integers, or nil when its inputs are
    /// not a quantized activation and constant int8 weights.
    static func gemm(_ step: PreparedGraph.Step, producer: PreparedGraph.Step?, weights: [Int: WeightSource], biases: [Int: BiasSource],
                     known: [RuntimeValue?], slotNames: [String]) -> PreparedGraph.Step? {
        guard step.domain.isEmpty, step.inputs.count >= 2, let weightSlot = step.inputs[1], let source = weights[weightSlot],
              let activation = activation(of: step.inputs[0], producer: producer, known: known), step.outputs.count == 1 else { return nil }
        let kernel: QuantizedGemm?
        if step.opType == "Gemm", let gemm = step.kernel as? Gemm_1 {
            let bias = step.inputs.count > 2 ? step.inputs[2].flatMap { biases[$0] } : nil
            kernel = QuantizedGemm(gemm: gemm, fallback: gemm, input: activation.parameters, weight: source.weight, scale: source.scale,
                                   axis: source.axis, bias: bias)
        } else if step.opType == "MatMul", let matMul = step.kernel as? MatMul_1 {
            kernel = QuantizedGemm(gemm: nil, fallback: matMul, input: activation.parameters, weight: source.weight, scale: source.scale, axis: source.axis)
        } else {
            kernel = nil
        }
        guard let kernel else { return nil }
        var inputs = step.inputs, names = step.inputNames
        inputs[0] = activation.slot
        inputs[1] = nil
        if names.count > 1 { names[0] = slotNames[activation.slot]; names[1] = "" }
        return .init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset, inputNames: names,
                     kernel: kernel, requiredInputs: 1, inputs: inputs, outputs: step.outputs, release: step.release)
    }
}
