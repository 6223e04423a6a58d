import ModelIR

/// Work generic over the element type, run by `dispatchNumeric` for a tensor's data type.
public protocol NumericVisitor {
    associatedtype Result
    func visit<T: NumericScalar>(_ type: T.Type) throws -> Result
}

/// Work generic over a floating-point type, run by `dispatchReal`.
public protocol RealVisitor {
    associatedtype Result
    func visit<T: RealScalar>(_ type: T.Type) throws -> Result
}

/// Calls `visitor.visit(T.self)` with the Swift type of `dataType`.
///
/// - Throws: `KernelError.unsupportedType` for bool, string, half and sub-byte types (convert
///   halves with `Tensor.widened()` first).
public func dispatchNumeric<V: NumericVisitor>(_ dataType: DataType, _ visitor: V) throws -> V.Result {
    switch dataType {
    case .float: return try visitor.visit(Float.self)
    case .double: return try visitor.visit(Double.self)
    case .int8: return try visitor.visit(Int8.self)
    case .int16: return try visitor.visit(Int16.self)
    case .int32: return try visitor.visit(Int32.self)
    case .int64: return try visitor.visit(Int64.self)
    case .uint8: return try visitor.visit(UInt8.self)
    case .uint16: return try visitor.visit(UInt16.self)
    case .uint32: return try visitor.visit(UInt32.self)
    case .uint64: return try visitor.visit(UInt64.self)
    default: throw KernelError.unsupportedType("\(dataType) is not a numeric type this kernel computes in")
    }
}

/// Calls `visitor.visit(T.self)` for float or double.
public func dispatchReal<V: RealVisitor>(_ dataType: DataType, _ visitor: V) throws -> V.Result {
    switch dataType {
    case .float: return try visitor.visit(Float.self)
    case .double: return try visitor.visit(Double.self)
    default: throw KernelError.unsupportedType("\(dataType) is not float or double")
    }
}

extension DataType {
    /// Float16 and bfloat16, which kernels compute in float32 and round back.
    public var isHalf: Bool { self == .float16 || self == .bfloat16 }

    /// The type computations on this type run in: float for halves, itself otherwise.
    public var computeType: DataType { isHalf ? .float : self }
}

extension Tensor {
    /// Half tensors converted to float (exactly); other tensors unchanged.
    public func widened() throws -> Tensor {
        guard dataType.isHalf else { return self }
        let count = elementCount
        let isBF16 = dataType == .bfloat16
        return try Tensor.filled(Float.self, shape: shape) { out in
            withUnsafeBytes { raw in
                let bits = raw.bindMemory(to: UInt16.self)
                if isBF16 {
                    for index in 0..<count { out[index] = BFloat16.decode(bits[index]) }
                } else {
                    HalfConversion.widen(UnsafeBufferPointer(rebasing: bits[0..<count]), into: out)
                }
            }
        }
    }

    /// A float tensor rounded (to nearest even) to `dataType` when that is a half type; else unchanged.
    public func narrowed(to dataType: DataType) throws -> Tensor {
        guard dataType.isHalf, self.dataType == .float else { return self }
        let count = elementCount
        let buffer = TensorBuffer(byteCount: 2 * count)
        let bits = buffer.mutableBytes.bindMemory(to: UInt16.self)
        withUnsafeBufferPointer(as: Float.self) { values in
            if dataType == .bfloat16 {
                for index in 0..<count { bits[index] = BFloat16.encode(values[index]) }
            } else {
                HalfConversion.narrow(UnsafeBufferPointer(rebasing: values[0..<count]), into: bits)
            }
        }
        return try Tensor(dataType: dataType, shape: shape, buffer: buffer)
    }
}

/// Runs `body` on `inputs` widened from half types to float and narrows its float results back to
/// the inputs' half type: how kernels support float16 and bfloat16 by computing in float32.
public func computingHalvesInFloat(_ inputs: [Tensor?], _ body: ([Tensor?]) throws -> [Tensor?]) throws -> [Tensor?] {
    guard let half = inputs.first(where: { $0?.dataType.isHalf == true })??.dataType else { return try body(inputs) }
    let widened = try inputs.map { try $0?.widened() }
    return try body(widened).map { try $0?.narrowed(to: half) }
}
