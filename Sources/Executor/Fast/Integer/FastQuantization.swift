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

extension ScalarQuantization {
    /// A tensor of `shape` holding the quantized values of the floats `body` writes (into
    /// uninitialized scratch of `shape`'s element count), as QuantizeLinear with these parameters
    /// computes them (`mg_quantize_f32`).
    func quantizedTensor(shape: [Int], _ body: (UnsafeMutablePointer<Float>) throws -> Void) throws -> Tensor {
        let count = shape.reduce(1, *)
        // Aligned as tensor buffers are, so that threads writing neighbouring blocks share no cache line.
        let values = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: TensorBuffer.alignment)
            .bindMemory(to: Float.self, capacity: max(count, 1))
        defer { values.deallocate() }
        try body(values)
        return try Tensor.overwrittenBytes(type, shape: shape) { out in
            guard let target = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            mg_quantize_f32(values, count, scale, zeroPoint, type == .int8 ? 1 : 0, target)
        }
    }

    /// A tensor of `shape` from the floats `body` writes: those floats, or with `parameters` their
    /// quantized values.
    static func results(quantizedWith parameters: ScalarQuantization?, shape: [Int],
                        _ body: (UnsafeMutablePointer<Float>) throws -> Void) throws -> Tensor {
        if let parameters { return try parameters.quantizedTensor(shape: shape, body) }
        return try Tensor.overwritten(Float.self, shape: shape) { out in
            guard let base = out.baseAddress else { return }
            try body(base)
        }
    }

    /// A tensor of `shape` written directly by a kernel that quantizes as it stores: `body` fills
    /// a float tensor, or with `parameters` one of their type (one byte an element).
    static func results(quantizedWith parameters: ScalarQuantization?, shape: [Int],
                        writing body: (UnsafeMutableRawPointer) throws -> Void) throws -> Tensor {
        guard let parameters else {
            return try Tensor.overwritten(Float.self, shape: shape) { out in
                guard let base = out.baseAddress else { return }
                try body(UnsafeMutableRawPointer(base))
            }
        }
        return try Tensor.overwrittenBytes(parameters.type, shape: shape) { out in
            guard let base = out.baseAddress else { return }
            try body(base)
        }
    }

    /// The results of a kernel's fallback path: as they are, or with `parameters` the first (a
    /// float tensor) quantized, as the absorbed QuantizeLinear would.
    static func results(_ results: [RuntimeValue?], quantizedWith parameters: ScalarQuantization?) throws -> [RuntimeValue?] {
        guard let parameters, let first = results.first??.tensor else { return results }
        return [.tensor(try parameters.quantized(first))]
    }

    /// The float tensor `x` quantized with these parameters.
    func quantized(_ x: Tensor) throws -> Tensor {
        guard x.dataType == .float else { throw KernelError.invalidInput("only a float tensor can be quantized, not \(x.dataType)") }
        return try x.withElements(Float.self) { xs in
            try Tensor.overwrittenBytes(type, shape: x.shape) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                mg_quantize_f32(source, xs.count, scale, zeroPoint, type == .int8 ? 1 : 0, target)
            }
        }
    }

    /// The float values of the int8 or uint8 tensor `x` with these parameters.
    func dequantized(_ x: Tensor) throws -> Tensor {
        guard x.dataType == .int8 || x.dataType == .uint8 else {
            throw KernelError.invalidInput("only an int8 or uint8 tensor can be dequantized, not \(x.dataType)")
        }
        return try x.withUnsafeBytes { raw in
            try Tensor.overwritten(Float.self, shape: x.shape) { out in
                guard let source = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), let target = out.baseAddress else { return }
                mg_dequantize_8(source, out.count, x.dataType == .int8 ? 1 : 0, zeroPoint, scale, target)
            }
        }
    }
}

/// A kernel with a float result that can write it quantized instead, so that the QuantizeLinear
/// reading it runs inside it (`QuantizedPlan.absorbingQuantization`).
protocol QuantizingKernel: Kernel {
    /// The parameters the result is quantized with; nil for a float result.
    var output: ScalarQuantization? { get set }
}

extension QuantizingKernel {
    /// This kernel with its result quantized with `parameters`, as the QuantizeLinear would.
    func quantizingOutput(_ parameters: ScalarQuantization) -> any Kernel {
        var result = self
        result.output = parameters
        return result
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

    /// The scale and zero point (the inputs after x) as per-tensor parameters this kernel runs
    /// itself, or nil when the reference kernel would run them.
    func scalarParameters(_ parameters: [RuntimeValue?]) -> ScalarQuantization? {
        guard fallback.blockSize == 0,
              let scalar = ScalarQuantization(scale: parameters.first??.tensor, zeroPoint: parameters.count > 1 ? parameters[1]?.tensor : nil),
              fallback.outputType == nil || fallback.outputType == scalar.type || parameters.count > 1 && parameters[1] != nil else { return nil }
        return scalar
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.dataType == .float, let parameters = scalarParameters(Array(inputs.dropFirst())) else {
            return try fallback.run(inputs, context: context)
        }
        return [.tensor(try parameters.quantized(x))]
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

    /// The scale and zero point (the inputs after x) as per-tensor parameters this kernel runs
    /// itself for an x of their type, or nil when the reference kernel would run them.
    func scalarParameters(_ parameters: [RuntimeValue?]) -> ScalarQuantization? {
        guard fallback.blockSize == 0, fallback.outputType == nil || fallback.outputType == .float else { return nil }
        return ScalarQuantization(scale: parameters.first??.tensor, zeroPoint: parameters.count > 1 ? parameters[1]?.tensor : nil)
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.dataType == .int8 || x.dataType == .uint8,
              let parameters = scalarParameters(Array(inputs.dropFirst())),
              inputs.count < 3 || inputs[2] == nil || parameters.type == x.dataType else {
            return try fallback.run(inputs, context: context)
        }
        return [.tensor(try parameters.dequantized(x))]
    }
}
