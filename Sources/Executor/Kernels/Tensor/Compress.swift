import ModelIR

/// The slices along `axis` (of the flattened input without one) where `condition` is true.
struct Compress_9: TensorKernel {
    static let opType = "Compress", sinceVersion = 9
    static let inputArity = 2...2
    let axis: Int?
    init(_ node: KernelNode) throws { axis = try node.int("axis") }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        var x = try inputs.required(0)
        let condition = try inputs.required(1).withElements(UInt8.self) { Array($0) }
        if axis == nil { x = try x.reshaped(to: [x.elementCount]) }
        let axis = try normalizedAxis(self.axis ?? 0, rank: x.rank)
        let kept = condition.prefix(x.shape[axis]).enumerated().filter { $0.element != 0 }.map(\.offset)
        return [try slices(x, axis: axis, positions: kept)]
    }
}

/// `x` restricted to `positions` along `axis`, in that order.
func slices(_ x: Tensor, axis: Int, positions: [Int]) throws -> Tensor {
    let outer = x.shape[..<axis].reduce(1, *), length = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
    var map: [Int] = []
    map.reserveCapacity(outer * positions.count * inner)
    for o in 0..<outer { for p in positions { for i in 0..<inner { map.append((o * length + p) * inner + i) } } }
    var shape = x.shape
    shape[axis] = positions.count
    return try x.gathering(shape: shape, sourceIndices: map)
}

/// The indices of the non-zero elements, as a `[rank, count]` int64 tensor.
struct NonZero_9: TensorKernel, AttributeFreeKernel {
    static let opType = "NonZero", sinceVersion = 9
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let values = try x.doubleValues()
        let found = values.indices.filter { values[$0] != 0 }
        let strides = Strides(x.shape).values
        var result = [Int64](repeating: 0, count: x.rank * found.count)
        for (column, flat) in found.enumerated() {
            for axis in 0..<x.rank { result[axis * found.count + column] = Int64(flat / strides[axis] % x.shape[axis]) }
        }
        return [try Tensor(shape: [x.rank, found.count], scalars: result)]
    }
}

/// Reverses the first `sequence_lens[b]` steps along `time_axis` of every batch entry.
struct ReverseSequence_10: TensorKernel {
    static let opType = "ReverseSequence", sinceVersion = 10
    static let inputArity = 2...2
    let batchAxis: Int, timeAxis: Int
    init(_ node: KernelNode) throws {
        batchAxis = try node.int("batch_axis", default: 1)
        timeAxis = try node.int("time_axis", default: 0)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), lengths = try inputs.required(1).indexValues()
        let strides = Strides(x.shape).values
        var map = [Int](repeating: 0, count: x.elementCount)
        try forEachIndex(x.shape) { flat, index in
            let b = index[batchAxis], t = index[timeAxis]
            guard b < lengths.count else { throw KernelError.invalidInput("sequence_lens has no entry for batch \(b)") }
            var source = index
            if t < lengths[b] { source[timeAxis] = lengths[b] - 1 - t }
            map[flat] = zip(source, strides).reduce(0) { $0 + $1.0 * $1.1 }
        }
        return [try x.gathering(shape: x.shape, sourceIndices: map)]
    }
}
