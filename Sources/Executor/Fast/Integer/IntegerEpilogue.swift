import CQuantizedKernels

/// How the int32 sums of an integer Conv, Gemm or MatMul become its results (`mg_epilogue`):
/// per feature map `m`, `v = clamp(Float(acc − comp[m]) · scale[m] + shift[m], low, high)`, a
/// product then a sum, each rounded once, stored as a float or, with `output`, as
/// `round_half_even(v) + zero_point` in the output's type.
///
/// Quantized results follow ONNX Runtime's QDQ execution (QLinearConv, QGemm: `MlasRequantizeOutput`)
/// when the sums need nothing but the bias: the int32 bias of a DequantizeLinear whose scale is
/// `s_x · s_w[m]` joins the sums in int32, and `scale[m]` is `s_x · s_w[m] / s_y` in float, so
/// the bytes are those of QLinearConv on every path and thread count. With a BatchNormalization,
/// alpha, beta or a bias of another scale the sums are scaled by `a[m] · s_x · s_w[m] / s_y` and
/// shifted by `c[m] / s_y` (computed in double, rounded once). Relu and Clip bounds become the
/// levels QuantizeLinear gives them, so `Q(clip(v))` is `clip` of `Q(v)`.
///
/// Either way the result is the graph's `QuantizeLinear(Conv(…))` of the exact integer sums; the
/// reference kernels sum the dequantized products in float, so a value whose exact quotient lies
/// within their rounding error of a rounding boundary (a half-integer) may land one step away.
struct IntegerEpilogue {
    let comp: [Int32]
    let scale: [Float]
    let shift: [Float]
    let low: Float
    let high: Float
    /// The parameters the results are written with; nil for float results.
    let output: ScalarQuantization?

    /// The epilogue of a product of int8 weights (scale `weightScales[m]` per map) and an input of
    /// scale `inputScale`, or nil when its factors are not finite.
    /// - Parameters:
    ///   - comp: per map, the int32 correction of the sums (the input zero point's share).
    ///   - normalization: per map, the factor on the float result (a BatchNormalization); nil for 1.
    ///   - shift: per map, the float added after it (bias and normalization); nil for 0.
    ///   - integerBias: the bias as int32 levels of scale `inputScale · weightScales[m]`, when it is
    ///     one; used for quantized results without `normalization`.
    ///   - bounds: the Relu or Clip bounds on the float result.
    ///   - output: the quantization of the results; nil for floats.
    init?(comp: [Int32], inputScale: Float, weightScales: [Float], normalization: [Float]?, shift: [Float]?, integerBias: [Int32]?,
          bounds: (low: Float, high: Float), output: ScalarQuantization?) {
        let maps = comp.count
        guard weightScales.count == maps, normalization.map({ $0.count == maps }) ?? true, shift.map({ $0.count == maps }) ?? true,
              integerBias.map({ $0.count == maps }) ?? true else { return nil }
        self.output = output
        guard let output else {
            self.comp = comp
            scale = (0..<maps).map { Float(Double(normalization?[$0] ?? 1) * Double(inputScale) * Double(weightScales[$0])) }
            self.shift = shift ?? [Float](repeating: 0, count: maps)
            (low, high) = bounds
            return
        }
        if normalization == nil, shift == nil || integerBias != nil {
            self.comp = integerBias.map { bias in (0..<maps).map { comp[$0] &- bias[$0] } } ?? comp
            scale = weightScales.map { inputScale * $0 / output.scale }
            self.shift = [Float](repeating: 0, count: maps)
        } else {
            self.comp = comp
            let outputScale = Double(output.scale)
            scale = (0..<maps).map { Float(Double(normalization?[$0] ?? 1) * Double(inputScale) * Double(weightScales[$0]) / outputScale) }
            self.shift = (0..<maps).map { Float(Double(shift?[$0] ?? 0) / outputScale) }
        }
        let (typeLow, typeHigh): (Float, Float) = output.type == .int8 ? (-128, 127) : (0, 255)
        let zero = Float(output.zeroPoint)
        func level(_ bound: Float) -> Float { (bound / output.scale).rounded(.toNearestOrEven) }
        low = min(max(bounds.low == -.infinity ? -.infinity : level(bounds.low), typeLow - zero), typeHigh - zero)
        high = min(max(bounds.high == .infinity ? .infinity : level(bounds.high), typeLow - zero), typeHigh - zero)
        guard scale.allSatisfy(\.isFinite), self.shift.allSatisfy(\.isFinite), !low.isNaN, !high.isNaN else { return nil }
    }

    /// `body` with the C epilogue of the maps from `first` on (pointers into this epilogue's arrays).
    func withEpilogue<R>(from first: Int = 0, _ body: (UnsafePointer<mg_epilogue>) throws -> R) rethrows -> R {
        try comp.withUnsafeBufferPointer { comp in
            try scale.withUnsafeBufferPointer { scale in
                try shift.withUnsafeBufferPointer { shift in
                    var epilogue = mg_epilogue(comp: comp.baseAddress.map { $0 + first }, scale: scale.baseAddress.map { $0 + first },
                                               shift: shift.baseAddress.map { $0 + first }, low: low, high: high,
                                               bytes: output == nil ? 0 : 1, zero: output?.zeroPoint ?? 0)
                    return try body(&epilogue)
                }
            }
        }
    }

    /// The bytes of one result: 1 when quantized, else 4.
    var elementSize: Int { output == nil ? MemoryLayout<Float>.stride : 1 }
}

extension mg_epilogue {
    /// This epilogue from row `row` on: its arrays advanced by `row`.
    func advanced(to row: Int) -> mg_epilogue {
        var result = self
        result.comp = comp.map { $0 + row }
        result.scale = scale.map { $0 + row }
        result.shift = shift.map { $0 + row }
        return result
    }
}
