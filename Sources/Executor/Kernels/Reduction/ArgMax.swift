import ModelIR

/// The index of the largest (or smallest) element along `axis`; the first one unless `select_last_index`.
struct ArgReduction {
    let axis: Int, keepDims: Bool, last: Bool, largest: Bool

    init(_ node: KernelNode, largest: Bool) throws {
        axis = try node.int("axis", default: 0)
        keepDims = try node.int("keepdims", default: 1) != 0
        last = try node.int("select_last_index", default: 0) != 0
        self.largest = largest
    }

    func compute(_ x: Tensor) throws -> Tensor {
        let axis = try normalizedAxis(self.axis, rank: x.rank)
        let values = try x.doubleValues()
        let outer = x.shape[..<axis].reduce(1, *), length = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        var result = [Int64](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = 0
                for k in 0..<length {
                    let v = values[(o * length + k) * inner + i], b = values[(o * length + best) * inner + i]
                    let better = largest ? v > b : v < b
                    if better || (last && v == b) { best = k }
                }
                result[o * inner + i] = Int64(best)
            }
        }
        var shape = x.shape
        if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
        return try Tensor(shape: shape, scalars: result)
    }
}

struct ArgMax_1: TensorKernel {
    static let opType = "ArgMax", sinceVersion = 1
    let reduction: ArgReduction
    init(_ node: KernelNode) throws { reduction = try ArgReduction(node, largest: true) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try reduction.compute(inputs.required(0))] }
}

struct ArgMin_1: TensorKernel {
    static let opType = "ArgMin", sinceVersion = 1
    let reduction: ArgReduction
    init(_ node: KernelNode) throws { reduction = try ArgReduction(node, largest: false) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try reduction.compute(inputs.required(0))] }
}
