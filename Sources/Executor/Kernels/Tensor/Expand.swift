import ModelIR

/// Broadcasts `input` with `shape` (multidirectionally: the result may be larger than `shape`).
struct Expand_8: TensorKernel, AttributeFreeKernel {
    static let opType = "Expand", sinceVersion = 8
    static let inputArity = 2...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0)
        return [try data.broadcasting(to: Broadcast.shape(data.shape, inputs.required(1).indexValues()))]
    }
}

/// Repeats the input `repeats[axis]` times along each axis.
struct Tile_6: TensorKernel, AttributeFreeKernel {
    static let opType = "Tile", sinceVersion = 6
    static let inputArity = 2...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0)
        let repeats = try inputs.required(1).indexValues()
        guard repeats.count == data.rank, repeats.allSatisfy({ $0 >= 0 }) else {
            throw KernelError.invalidInput("repeats \(repeats) do not fit rank \(data.rank)")
        }
        let shape = zip(data.shape, repeats).map { $0 * $1 }
        let strides = Strides(data.shape).values
        let count = try Tensor.checkedCount(shape)
        var map = [Int](repeating: 0, count: count)
        forEachIndex(shape) { position, index in
            var offset = 0
            for axis in shape.indices { offset += (index[axis] % max(data.shape[axis], 1)) * strides[axis] }
            map[position] = offset
        }
        return [try data.gathering(shape: shape, sourceIndices: map)]
    }
}

/// Chooses elements of X where the condition holds and of Y elsewhere, all three broadcast together.
struct Where_9: TensorKernel, AttributeFreeKernel {
    static let opType = "Where", sinceVersion = 9
    static let inputArity = 3...3
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let condition = try inputs.required(0), x = try inputs.required(1), y = try inputs.required(2)
        guard x.dataType == y.dataType else { throw KernelError.invalidInput("X is \(x.dataType) but Y is \(y.dataType)") }
        let shape = try Broadcast.shape([condition.shape, x.shape, y.shape])
        let ci = try Broadcast.sourceIndices(of: condition.shape, in: shape)
        let xi = try Broadcast.sourceIndices(of: x.shape, in: shape)
        let yi = try Broadcast.sourceIndices(of: y.shape, in: shape)
        let flags = try condition.withElements(UInt8.self) { Array($0) }
        let joined = try Tensor.concatenating([x.reshaped(to: [x.elementCount]), y.reshaped(to: [y.elementCount])], axis: 0)
        let map = (0..<ci.count).map { flags[ci[$0]] != 0 ? xi[$0] : x.elementCount + yi[$0] }
        return [try joined.gathering(shape: shape, sourceIndices: map)]
    }
}

/// `start, start + delta, …` up to (not including) `limit`.
struct Range_11: TensorKernel, AttributeFreeKernel {
    static let opType = "Range", sinceVersion = 11
    static let inputArity = 3...3
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let start = try inputs.required(0), limit = try inputs.required(1), delta = try inputs.required(2)
        let type = start.dataType
        let s = try start.scalarDouble(), l = try limit.scalarDouble(), d = try delta.scalarDouble()
        guard d != 0 else { throw KernelError.invalidInput("delta is 0") }
        let count = max(Int(((l - s) / d).rounded(.up)), 0)
        _ = try Tensor.checkedCount([count])
        if type == .float {
            let (s, d) = (Float(s), Float(d))
            return [try Tensor.filled(Float.self, shape: [count]) { out in for i in 0..<count { out[i] = s + Float(i) * d } }]
        }
        return [try Tensor(converting: (0..<count).map { s + Double($0) * d }, to: type, shape: [count])]
    }
}
