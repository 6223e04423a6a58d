import ModelIR

/// Gemm (transA 0) or MatMul whose A input is `DequantizeLinear(x)` of an int8 or uint8 `x` with
/// per-tensor parameters and whose B input is `DequantizeLinear` of constant 2-D int8 weights (zero
/// point 0, per tensor or per output column), run on the integers: each row of `x` times the
/// weights packed at session creation (`Int8Gemm.multiplyVector`), then the `IntegerEpilogue`:
/// `acc · (alpha · s_x · s_w[j]) + beta · C[j]`, or with `output` the result written quantized (the
/// QuantizeLinear that reads it, absorbed) as QGemm requantizes it.
///
/// Inputs: x (the quantized tensor), nil, and for Gemm C. Gemm's x is 2-D; MatMul's x has any
/// rank from 1 and the weights multiply its last axis. Other inputs (another type, a C that is not
/// one value per column) are dequantized and run by `fallback`.
struct QuantizedGemm: QuantizingKernel {
    static let opType = "Gemm", sinceVersion = 1
    static let inputArity = 1...3

    /// Gemm's attributes; nil for MatMul.
    let gemm: Gemm_1?
    let fallback: any TensorKernel
    let input: ScalarQuantization
    /// The int8 weights as the node reads them, and the scale of each output column.
    let weight: Tensor
    let weightScale: Tensor
    /// The scale of each output column's weights.
    let weightScales: [Float]
    /// C as the int32 levels of a DequantizeLinear with scale `s_x · s_w[j]`, when it is one and
    /// alpha and beta are 1.
    let integerBias: [Int32]?
    /// The weights as outputs × depth, packed.
    let packed: Int8Weights
    /// The parameters the result is quantized with; nil for a float result.
    var output: ScalarQuantization?

    /// The kernel, or nil when the weights are not 2-D int8 with one scale or one per output
    /// column, the product is too deep for exact int32 accumulation, or Gemm transposes A.
    init?(gemm: Gemm_1?, fallback: any TensorKernel, input: ScalarQuantization, weight: Tensor, scale: Tensor, axis: Int,
          bias: QuantizedPlan.BiasSource? = nil) {
        let transposed = gemm?.transB ?? false
        guard gemm?.transA != true, weight.dataType == .int8, weight.rank == 2, let scales = try? scale.floatValues() else { return nil }
        let depth = transposed ? weight.shape[1] : weight.shape[0], outputs = transposed ? weight.shape[0] : weight.shape[1]
        let outputAxis = transposed ? 0 : 1
        guard depth > 0, outputs > 0, depth <= QuantizedConv.maxDepth, depth * outputs <= Int(Int32.max),
              scales.count == 1 && scale.rank <= 1 || scales.count == outputs && scale.rank == 1 && axis == outputAxis else { return nil }
        self.gemm = gemm
        self.fallback = fallback
        self.input = input
        self.weight = weight
        weightScale = scale
        weightScales = (0..<outputs).map { scales.count == 1 ? scales[0] : scales[$0] }
        integerBias = gemm.map { $0.alpha == 1 && $0.beta == 1 } ?? false
            ? bias?.integerBias(inputScale: input.scale, weightScales: weightScales) : nil
        guard let packed = try? weight.withElements(Int8.self, { values -> Int8Weights? in
            guard let base = values.baseAddress else { return nil }
            if transposed { return Int8Weights(base, rows: outputs, columns: depth, stride: depth) }
            let rows = (0..<outputs).flatMap { j in (0..<depth).map { values[$0 * outputs + j] } }
            return rows.withUnsafeBufferPointer { $0.baseAddress.map { Int8Weights($0, rows: outputs, columns: depth, stride: depth) } }
        }) ?? nil else { return nil }
        self.packed = packed
    }

    init(_ node: KernelNode) throws {
        throw KernelError.invalidInput("QuantizedGemm is made by the executor's fast plan, not from a node")
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let tensors = try tensorInputs(inputs)
        let x = try tensors.required(0)
        let depth = packed.columns, outputs = packed.rows
        let beta = gemm?.beta ?? 0
        let addend = beta != 0 ? tensors.optional(2) : nil
        guard x.dataType == input.type, gemm == nil ? x.rank >= 1 : x.rank == 2, x.shape.last == depth,
              addend.map({ $0.dataType == .float && ($0.elementCount == 1 || $0.elementCount == outputs && $0.shape.last == outputs) }) ?? true else {
            return try ScalarQuantization.results(try fallback.compute(try dequantizedInputs(tensors)).map { $0.map(RuntimeValue.tensor) },
                                                  quantizedWith: output)
        }
        let bias = try addend?.floatValues()
        let shift = bias.map { b in (0..<outputs).map { j in beta * (b.count == 1 ? b[0] : b[j]) } }
        let alpha = gemm?.alpha ?? 1
        let signed = x.dataType == .int8
        let zero = input.zeroPoint + (signed ? 128 : 0)
        guard let epilogue = IntegerEpilogue(comp: packed.rowSums.map { zero &* $0 }, inputScale: input.scale, weightScales: weightScales,
                                             normalization: alpha == 1 ? nil : [Float](repeating: alpha, count: outputs), shift: shift,
                                             integerBias: addend == nil ? nil : integerBias, bounds: (-.infinity, .infinity), output: output) else {
            return try ScalarQuantization.results(try fallback.compute(try dequantizedInputs(tensors)).map { $0.map(RuntimeValue.tensor) },
                                                  quantizedWith: output)
        }
        let rows = x.elementCount / depth
        let result = try x.withUnsafeBytes { raw in
            try ScalarQuantization.results(quantizedWith: output, shape: Array(x.shape.dropLast()) + [outputs], writing: { oBase in
                guard let xBase = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                epilogue.withEpilogue { e in
                    for row in 0..<rows {
                        Int8Gemm.multiplyVector(packed.packed, m: outputs, k: depth, x: xBase + row * depth, flip: signed ? 0x80 : 0,
                                                epilogue: e, y: oBase + row * outputs * epilogue.elementSize)
                    }
                }
            })
        }
        return [.tensor(result)]
    }

    /// The inputs of `fallback`: x and the weights dequantized, then C.
    private func dequantizedInputs(_ tensors: [Tensor?]) throws -> [Tensor?] {
        let x = try tensors.required(0)
        let xZero = try Tensor(converting: [Double(input.zeroPoint)], to: input.type, shape: [])
        let xFloat = try DequantizeLinear_10.plain.compute([x, Tensor(scalar: input.scale), x.dataType == input.type ? xZero : nil]).first ?? nil
        let transposed = gemm?.transB ?? false
        let wFloat = try Int8Weights.dequantized(weight, scales: try weightScale.floatValues(), axis: transposed ? 0 : 1)
        var result = tensors
        while result.count < 2 { result.append(nil) }
        result[0] = xFloat
        result[1] = wFloat
        return gemm == nil ? Array(result.prefix(2)) : result
    }
}
