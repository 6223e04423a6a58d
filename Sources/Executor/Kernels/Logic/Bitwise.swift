import ModelIR

/// Integer bit operations, computed on the two's-complement bits widened to 64.
private func bitwise(_ inputs: [Tensor?], _ op: @escaping (UInt64, UInt64) -> UInt64) throws -> Tensor {
    let a = try inputs.required(0), b = try inputs.required(1)
    guard a.dataType == b.dataType, a.dataType.isInteger else { throw KernelError.unsupportedType("expected integer inputs of one type") }
    return try dispatchNumeric(a.dataType, BitwiseVisitor(a: a, b: b, op: op))
}

private struct BitwiseVisitor: NumericVisitor {
    let a: Tensor, b: Tensor
    let op: (UInt64, UInt64) -> UInt64
    func visit<T: NumericScalar>(_ type: T.Type) throws -> Tensor {
        let shape = try Broadcast.shape(a.shape, b.shape)
        let x = try a.int64Values(), y = try b.int64Values()
        let xi = try Broadcast.sourceIndices(of: a.shape, in: shape), yi = try Broadcast.sourceIndices(of: b.shape, in: shape)
        let width = UInt64(a.dataType.bitWidth)
        return try Tensor.filled(T.self, shape: shape) { out in
            for index in 0..<xi.count {
                let r = op(UInt64(bitPattern: x[xi[index]]), UInt64(bitPattern: y[yi[index]]))
                let masked = width >= 64 ? r : r & ((1 << width) - 1)
                out[index] = T(wrapping: Int64(bitPattern: masked))
            }
        }
    }
}

/// Shifts by the second input read as unsigned: left shifts wrap, right shifts are arithmetic for
/// signed types; a shift of the type's width or more gives 0 (or −1 for a negative value shifted right).
struct BitShift_11: TensorKernel {
    static let opType = "BitShift", sinceVersion = 11
    static let inputArity = 2...2
    let left: Bool
    init(_ node: KernelNode) throws {
        left = try node.choice("direction", default: "", in: ["LEFT", "RIGHT"]) == "LEFT"
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let a = try inputs.required(0)
        let width = UInt64(a.dataType.bitWidth)
        let signed = a.dataType.isSignedInteger
        if !signed {
            return [try bitwise(inputs) { [left] x, n in n >= width ? 0 : (left ? x << n : x >> n) }]
        }
        let mask: UInt64 = width >= 64 ? .max : (1 << width) - 1
        return [try bitwise(inputs) { [left] x, n in
            let amount = n & mask
            let value = Int64(bitPattern: width >= 64 ? x : (x & (1 << (width - 1)) != 0 ? x | ~mask : x))
            if amount >= width { return left || value >= 0 ? 0 : UInt64.max }
            return left ? x << amount : UInt64(bitPattern: value >> Int64(amount))
        }]
    }
}

struct BitwiseAnd_18: TensorKernel, AttributeFreeKernel {
    static let opType = "BitwiseAnd", sinceVersion = 18
    static let inputArity = 2...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try bitwise(inputs) { $0 & $1 }] }
}

struct BitwiseOr_18: TensorKernel, AttributeFreeKernel {
    static let opType = "BitwiseOr", sinceVersion = 18
    static let inputArity = 2...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try bitwise(inputs) { $0 | $1 }] }
}

struct BitwiseXor_18: TensorKernel, AttributeFreeKernel {
    static let opType = "BitwiseXor", sinceVersion = 18
    static let inputArity = 2...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try bitwise(inputs) { $0 ^ $1 }] }
}

struct BitwiseNot_18: TensorKernel, AttributeFreeKernel {
    static let opType = "BitwiseNot", sinceVersion = 18
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        return [try bitwise([x, x]) { a, _ in ~a }]
    }
}
