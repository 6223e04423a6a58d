import CQuantizedKernels
import ModelIR

/// Per-tensor linear quantization parameters read from a scale and an optional zero point:
/// a float scalar scale and an int8 or uint8 scalar zero point (absent: uint8 zero).
struct ScalarQuantization: Equatable {
    let scale: Float
    let zeroPoint: Int32
    let type: DataType

    /// The parameters, or nil when the tensors are not scalars of those types.
    init?(scale: Tensor?, zeroPoint: Tensor?) {
        guard let scale, scale.dataType == .float, scale.elementCount == 1, let value = try? scale.floatValues().first else { return nil }
        self.scale = value
        guard let zeroPoint else {
            (self.zeroPoint, type) = (0, .uint8)
            return
        }
        guard zeroPoint.elementCount == 1 else { return nil }
        switch zeroPoint.dataType {
        case .int8: guard let v = try? zeroPoint.withElements(Int8.self, { $0.first }) else { return nil }; (self.zeroPoint, type) = (Int32(v), .int8)
        case .uint8: guard let v = try? zeroPoint.withElements(UInt8.self, { $0.first }) else { return nil }; (self.zeroPoint, type) = (Int32(v), .uint8)
        default: return nil
        }
    }
}

/// QuantizeLinear of a float tensor with per-tensor parameters to int8 or uint8, element by element
/// in float (`mg_quantize_f32`): `saturate(round_half_even(x / scale) + zero_point)` and 0 for NaN,
/// the reference kernel's result.
/// Other inputs run the reference kernel.
struct FastQuantizeLinear: Kernel {
    static let opType = "QuantizeLinear", sinceVersion = 10
    static let inputArity = 2...3
    let fallback: QuantizeLinear_10

    init(fallback: QuantizeLinear_10) { self.fallback = fallback }
    init(_ node: KernelNode) throws { fallback = try QuantizeLinear_10(node) }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.dataType == .float, fallback.blockSize == 0,
              let parameters = ScalarQuantization(scale: inputs.count > 1 ? inputs[1]?.tensor : nil,
                                                  zeroPoint: inputs.count > 2 ? inputs[2]?.tensor : nil),
              fallback.outputType == nil || fallback.outputType == parameters.type || inputs.count > 2 && inputs[2] != nil else {
            return try fallback.run(inputs, context: context)
        }
        let signed = parameters.type == .int8
        let result = try x.withElements(Float.self) { xs in
            try Tensor.filledBytes(parameters.type, shape: x.shape) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                mg_quantize_f32(source, xs.count, parameters.scale, parameters.zeroPoint, signed ? 1 : 0, target)
            }
        }
        return [.tensor(result)]
    }
}

/// DequantizeLinear of an int8 or uint8 tensor with per-tensor parameters to float:
/// `(x − zero_point) · scale`, the reference kernel's result. Other inputs run the reference kernel.
struct FastDequantizeLinear: Kernel {
    static let opType = "DequantizeLinear", sinceVersion = 10
    static let inputArity = 2...3
    let fallback: DequantizeLinear_10

    init(fallback: DequantizeLinear_10) { self.fallback = fallback }
    init(_ node: KernelNode) throws { fallback = try DequantizeLinear_10(node) }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.dataType == .int8 || x.dataType == .uint8, fallback.blockSize == 0,
              fallback.outputType == nil || fallback.outputType == .float,
              let parameters = ScalarQuantization(scale: inputs.count > 1 ? inputs[1]?.tensor : nil,
                                                  zeroPoint: inputs.count > 2 ? inputs[2]?.tensor : nil),
              inputs.count < 3 || inputs[2] == nil || parameters.type == x.dataType else {
            return try fallback.run(inputs, context: context)
        }
        let scale = parameters.scale, zero = Float(parameters.zeroPoint)
        let result = try Tensor.overwritten(Float.self, shape: x.shape) { out in
            if x.dataType == .int8 {
                try x.withElements(Int8.self) { xs in for i in 0..<xs.count { out[i] = (Float(xs[i]) - zero) * scale } }
            } else {
                try x.withElements(UInt8.self) { xs in for i in 0..<xs.count { out[i] = (Float(xs[i]) - zero) * scale } }
            }
        }
        return [.tensor(result)]
    }
}
