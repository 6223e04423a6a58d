import ModelIR

/// For each element of a tensor of `shape`, the index of the scale (or zero point) that applies:
/// per tensor (one element), per axis (1-D along `axis`) or per block (`blockSize` along `axis`).
func quantizationParameterIndices(_ parameter: Tensor, shape: [Int], axis: Int, blockSize: Int) throws -> [Int] {
    let count = shape.reduce(1, *)
    if parameter.elementCount == 1 && blockSize == 0 { return [Int](repeating: 0, count: count) }
    let axis = try normalizedAxis(axis, rank: shape.count)
    if blockSize <= 0 {
        guard parameter.rank == 1, parameter.shape[0] == shape[axis] else {
            throw KernelError.invalidInput("per-axis parameter \(parameter.shape) does not fit axis \(axis) of \(shape)")
        }
        let inner = shape[(axis + 1)...].reduce(1, *)
        return (0..<count).map { ($0 / inner) % shape[axis] }
    }
    guard parameter.rank == shape.count else { throw KernelError.invalidInput("blocked parameter \(parameter.shape) must have the rank of \(shape)") }
    let strides = Strides(parameter.shape).values
    var result = [Int](repeating: 0, count: count)
    try forEachIndex(shape) { flat, index in
        var offset = 0
        for a in shape.indices {
            let i = a == axis ? index[a] / blockSize : index[a]
            guard i < parameter.shape[a] else { throw KernelError.invalidInput("blocked parameter \(parameter.shape) is too small for \(shape)") }
            offset += i * strides[a]
        }
        result[flat] = offset
    }
    return result
}

/// Value `x` rounded to the precision of `type` when that is a half type (numpy computes in it).
private func roundedTo(_ type: DataType, _ x: Double) -> Double {
    switch type {
    case .float16: Double(Float16(Float(x)))
    case .bfloat16: Double(BFloat16.decode(BFloat16.encode(Float(x))))
    case .float: Double(Float(x))
    default: x
    }
}

/// `saturate(round(x / scale) + zero_point)` to the zero point's type (uint8 by default, or `output_dtype`).
struct QuantizeLinear_10: TensorKernel {
    static let opType = "QuantizeLinear", sinceVersion = 10
    static let inputArity = 2...3
    let axis: Int, saturate: Bool, blockSize: Int
    let outputType: DataType?

    init(_ node: KernelNode) throws {
        axis = try node.int("axis", default: 1)
        saturate = try node.int("saturate", default: 1) != 0
        blockSize = try node.int("block_size", default: 0)
        outputType = try node.int("output_dtype").flatMap { $0 == 0 ? nil : DataType(rawValue: Int32(truncatingIfNeeded: $0)) }
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), scaleTensor = try inputs.required(1), zeroTensor = inputs.optional(2)
        let type = zeroTensor?.dataType ?? outputType ?? .uint8
        if let layout = try FloatQuantizationLayout(x, scale: scaleTensor, zeroPoint: zeroTensor, axis: axis, blockSize: blockSize),
           type == .uint8 || type == .int8 {
            return [try layout.quantize(x, to: type)]
        }
        let values = try x.doubleValues(), scales = try scaleTensor.doubleValues()
        let zeros = try zeroTensor?.doubleValues()
        let scaleIndex = try quantizationParameterIndices(scaleTensor, shape: x.shape, axis: axis, blockSize: blockSize)
        let zeroIndex = try zeroTensor.map { try quantizationParameterIndices($0, shape: x.shape, axis: axis, blockSize: blockSize) }
        let ranges: [DataType: (Double, Double)] = [.uint8: (0, 255), .int8: (-128, 127), .uint16: (0, 65535), .int16: (-32768, 32767),
                                                    .uint4: (0, 15), .int4: (-8, 7), .uint2: (0, 3), .int2: (-2, 1)]
        let quotients = values.indices.map { roundedTo(x.dataType, values[$0] / scales[scaleIndex[$0]]) }
        if let (low, high) = ranges[type] {
            let result = quotients.indices.map { i -> Double in
                let zero = zeroIndex.map { zeros?[$0[i]] ?? 0 } ?? 0
                return min(max(quotients[i].rounded(.toNearestOrEven) + zero, low), high)
            }
            return [try Tensor(converting: result, to: type, shape: x.shape)]
        }
        guard type.isFloatingPoint else { throw KernelError.unsupportedType("cannot quantize to \(type)") }
        let shifted = quotients.indices.map { i in quotients[i] + (zeroIndex.map { zeros?[$0[i]] ?? 0 } ?? 0) }
        let isFloat8 = [.float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz].contains(type)
        return [try Tensor(converting: isFloat8 ? quotients : shifted, to: type, shape: x.shape, saturate: saturate)]
    }
}

/// `(x − zero_point) · scale` in the scale's type.
struct DequantizeLinear_10: TensorKernel {
    static let opType = "DequantizeLinear", sinceVersion = 10
    static let inputArity = 2...3
    let axis: Int, blockSize: Int
    let outputType: DataType?

    init(_ node: KernelNode) throws {
        axis = try node.int("axis", default: 1)
        blockSize = try node.int("block_size", default: 0)
        outputType = try node.int("output_dtype").flatMap { $0 == 0 ? nil : DataType(rawValue: Int32(truncatingIfNeeded: $0)) }
    }

    private init(axis: Int) {
        self.axis = axis
        blockSize = 0
        outputType = .float
    }

    /// Per-tensor dequantization to float, and per-output-channel (axis 0) for weights.
    static let plain = DequantizeLinear_10(axis: 1)
    static let perChannel = DequantizeLinear_10(axis: 0)

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), scaleTensor = try inputs.required(1), zeroTensor = inputs.optional(2)
        let type = outputType ?? scaleTensor.dataType
        if type == .float, [.int8, .uint8, .int32].contains(x.dataType),
           let layout = try FloatQuantizationLayout(x, scale: scaleTensor, zeroPoint: zeroTensor, axis: axis, blockSize: blockSize) {
            return [try layout.dequantize(x)]
        }
        let values = try x.doubleValues(), scales = try scaleTensor.doubleValues()
        let zeros = try zeroTensor?.doubleValues()
        let scaleIndex = try quantizationParameterIndices(scaleTensor, shape: x.shape, axis: axis, blockSize: blockSize)
        let zeroIndex = try zeroTensor.map { try quantizationParameterIndices($0, shape: x.shape, axis: axis, blockSize: blockSize) }
        let result = values.indices.map { i -> Double in
            let zero = x.dataType.isFloatingPoint ? 0 : (zeroIndex.map { zeros?[$0[i]] ?? 0 } ?? 0)
            let difference = roundedTo(type == .double ? .double : .float, values[i] - zero)
            return roundedTo(type == .double ? .double : .float, difference * scales[scaleIndex[i]])
        }
        return [try Tensor(converting: result, to: type, shape: x.shape)]
    }
}

/// uint8 quantization with scale and zero point from the input's range (including 0).
struct DynamicQuantizeLinear_11: TensorKernel, AttributeFreeKernel {
    static let opType = "DynamicQuantizeLinear", sinceVersion = 11
    static let outputArity = 3...3
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let values = try x.floatValues()
        let low = min(values.min() ?? 0, 0), high = max(values.max() ?? 0, 0)
        let scale = (high - low) / 255
        let zero = scale == 0 ? 0 : min(max((0 - low / scale).rounded(.toNearestOrEven), 0), 255)
        let quantized = try Tensor.filled(UInt8.self, shape: x.shape) { out in
            for index in values.indices {
                let q = min(max((scale == 0 ? 0 : values[index] / scale).rounded(.toNearestOrEven) + zero, 0), 255)
                out[index] = q.isNaN ? 0 : UInt8(q)
            }
        }
        return [quantized, Tensor(scalar: scale), try Tensor(converting: [Double(zero)], to: .uint8, shape: [])]
    }
}
