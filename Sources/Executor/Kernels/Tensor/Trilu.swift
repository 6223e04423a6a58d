import ModelIR

/// Keeps the upper (or lower) triangle of the last two axes from diagonal `k`, zeroing the rest.
struct Trilu_14: TensorKernel {
    static let opType = "Trilu", sinceVersion = 14
    static let inputArity = 1...2
    let upper: Bool
    init(_ node: KernelNode) throws { upper = try node.int("upper", default: 1) != 0 }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let k = try inputs.optional(1)?.scalarInt() ?? 0
        guard x.rank >= 2 else { throw KernelError.invalidInput("Trilu needs rank 2 or more") }
        let rows = x.shape[x.rank - 2], columns = x.shape[x.rank - 1]
        let (joined, offsets) = try Tensor.flatJoined([x, Tensor(zeros: x.dataType, shape: [1])])
        let map = (0..<x.elementCount).map { flat -> Int in
            let column = flat % max(columns, 1), row = (flat / max(columns, 1)) % max(rows, 1)
            let keep = upper ? column - row >= k : column - row <= k
            return keep ? flat : offsets[1]
        }
        return [try joined.gathering(shape: x.shape, sourceIndices: map)]
    }
}

/// A 2-D tensor with ones on diagonal `k`, shaped like the input.
struct EyeLike_9: TensorKernel {
    static let opType = "EyeLike", sinceVersion = 9
    let k: Int, dtype: DataType?
    init(_ node: KernelNode) throws {
        k = try node.int("k", default: 0)
        dtype = try node.int("dtype").flatMap { DataType(rawValue: Int32(truncatingIfNeeded: $0)) }
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        guard x.rank == 2 else { throw KernelError.invalidInput("EyeLike needs a 2-D input") }
        let values = (0..<x.elementCount).map { flat -> Double in flat % x.shape[1] - flat / x.shape[1] == k ? 1 : 0 }
        return [try Tensor(converting: values, to: dtype ?? x.dataType, shape: x.shape)]
    }
}
