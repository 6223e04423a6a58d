import ModelIR

/// The integer range of a quantized type.
func integerBounds(_ type: DataType) throws -> (Double, Double) {
    switch type {
    case .uint8: return (0, 255)
    case .int8: return (-128, 127)
    case .uint16: return (0, 65535)
    case .int16: return (-32768, 32767)
    case .int32: return (-2147483648, 2147483647)
    default: throw KernelError.unsupportedType("\(type) is not a quantized integer type")
    }
}

/// `(A − a_zero) · (B − b_zero)` in int32; A's zero point may be per row, B's per column.
struct MatMulInteger_10: TensorKernel, AttributeFreeKernel {
    static let opType = "MatMulInteger", sinceVersion = 10
    static let inputArity = 2...4

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let a = try ZeroShifted.doubles(inputs.required(0), minus: inputs.optional(2), axis: -2)
        let b = try ZeroShifted.doubles(inputs.required(1), minus: inputs.optional(3), axis: -1)
        return [try ZeroShifted.int32(MatMul_1.multiply(a, b))]
    }
}

/// Quantized matrix product: integer product of the zero-shifted inputs, rescaled by
/// `a_scale · b_scale / y_scale` and requantized to the output zero point's type.
struct QLinearMatMul_10: TensorKernel, AttributeFreeKernel {
    static let opType = "QLinearMatMul", sinceVersion = 10
    static let inputArity = 8...8
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let a = try inputs.required(0), b = try inputs.required(3)
        let product = try MatMulInteger_10().compute([a, b, inputs.required(2), inputs.required(5)])
        guard let c = product.first ?? nil else { throw KernelError.invalidInput("no product") }
        let aScale = try inputs.required(1), bScale = try inputs.required(4), yScale = try inputs.required(6), yZero = try inputs.required(7)
        let scales = try [aScale, bScale, yScale].map { try $0.floatValues() }
        let shapes = [aScale.shape, bScale.shape, yScale.shape]
        let shape = try Broadcast.shape(shapes + [c.shape])
        let maps = try shapes.map { try Broadcast.sourceIndices(of: $0, in: shape) }
        let zero = try yZero.doubleValues()
        let zeroMap = try Broadcast.sourceIndices(of: yZero.shape, in: shape)
        let values = try c.doubleValues()
        let cMap = try Broadcast.sourceIndices(of: c.shape, in: shape)
        let (low, high) = try integerBounds(yZero.dataType)
        let result = (0..<cMap.count).map { i -> Double in
            let multiplier = Double(scales[0][maps[0][i]] * scales[1][maps[1][i]] / scales[2][maps[2][i]])
            return min(max((values[cMap[i]] * multiplier + zero[zeroMap[i]]).rounded(.toNearestOrEven), low), high)
        }
        return [try Tensor(converting: result, to: yZero.dataType, shape: shape)]
    }
}

/// Convolution of zero-shifted integer tensors, in int32.
struct ConvInteger_10: TensorKernel {
    static let opType = "ConvInteger", sinceVersion = 10
    static let inputArity = 2...4
    let conv: Conv_1
    init(_ node: KernelNode) throws { conv = try Conv_1(node) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try ZeroShifted.doubles(inputs.required(0), minus: inputs.optional(2), axis: 1)
        let w = try ZeroShifted.doubles(inputs.required(1), minus: inputs.optional(3), axis: 0)
        guard let y = try conv.compute([x, w]).first ?? nil else { throw KernelError.invalidInput("no result") }
        return [try ZeroShifted.int32(y)]
    }
}

/// Quantized convolution: dequantize, convolve, requantize.
struct QLinearConv_10: TensorKernel {
    static let opType = "QLinearConv", sinceVersion = 10
    static let inputArity = 8...9
    let conv: Conv_1
    init(_ node: KernelNode) throws { conv = try Conv_1(node) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try DequantizeLinear_10.plain.compute([inputs.required(0), inputs.required(1), inputs.required(2)])[0]
        let w = try DequantizeLinear_10.perChannel.compute([inputs.required(3), inputs.required(4), inputs.required(5)])[0]
        var b: Tensor?
        if let bias = inputs.optional(8) {
            let xs = try inputs.required(1).doubleValues(), ws = try inputs.required(4).doubleValues()
            let values = try bias.doubleValues().enumerated().map { $0.element * xs[0] * (ws.count == 1 ? ws[0] : ws[$0.offset]) }
            b = try Tensor(converting: values, to: .float, shape: bias.shape)
        }
        guard let x, let w, let y = try conv.compute([x.widened(), w.widened(), b]).first ?? nil else { throw KernelError.invalidInput("no result") }
        let yScale = try inputs.required(6), yZero = try inputs.required(7)
        let scale = try yScale.doubleValues()[0], zero = try yZero.doubleValues()[0]
        let (low, high) = try integerBounds(yZero.dataType)
        let values = try y.doubleValues().map { min(max(($0 / scale).rounded(.toNearestOrEven) + zero, low), high) }
        return [try Tensor(converting: values, to: yZero.dataType, shape: y.shape)]
    }
}
