import ModelIR

/// The `k` largest (or smallest) elements along `axis` and their indices; ties keep the lower index.
struct TopKSelection {
    let axis: Int, largest: Bool, sorted: Bool

    func apply(_ x: Tensor, k: Int) throws -> [Tensor?] {
        let axis = try normalizedAxis(self.axis, rank: x.rank)
        let length = x.shape[axis]
        guard k >= 0 && k <= length else { throw KernelError.invalidInput("k = \(k) is out of range for an axis of \(length)") }
        let values = try x.doubleValues()
        let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
        var shape = x.shape
        shape[axis] = k
        var map = [Int](repeating: 0, count: outer * k * inner), chosen = [Int64](repeating: 0, count: outer * k * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let candidates = (0..<length).sorted { a, b in
                    let va = values[(o * length + a) * inner + i], vb = values[(o * length + b) * inner + i]
                    if va == vb || (va.isNaN && vb.isNaN) { return a < b }
                    if va.isNaN { return largest }
                    if vb.isNaN { return !largest }
                    return largest ? va > vb : va < vb
                }
                for (rank, index) in candidates.prefix(k).enumerated() {
                    map[(o * k + rank) * inner + i] = (o * length + index) * inner + i
                    chosen[(o * k + rank) * inner + i] = Int64(index)
                }
            }
        }
        return [try x.gathering(shape: shape, sourceIndices: map), try Tensor(shape: shape, scalars: chosen)]
    }
}

/// Opsets 1–9: `k` is an attribute.
struct TopK_1: TensorKernel {
    static let opType = "TopK", sinceVersion = 1
    static let outputArity = 2...2
    let k: Int, selection: TopKSelection
    init(_ node: KernelNode) throws {
        k = try node.requiredInt("k")
        selection = TopKSelection(axis: try node.int("axis", default: -1), largest: true, sorted: true)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { try selection.apply(inputs.required(0), k: k) }
}

/// From opset 10 `k` is an input; `largest` and `sorted` from 11.
struct TopK_10: TensorKernel {
    static let opType = "TopK", sinceVersion = 10
    static let inputArity = 2...2
    static let outputArity = 2...2
    let selection: TopKSelection
    init(_ node: KernelNode) throws {
        selection = TopKSelection(axis: try node.int("axis", default: -1), largest: try node.int("largest", default: 1) != 0,
                                  sorted: try node.int("sorted", default: 1) != 0)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { try selection.apply(inputs.required(0), k: inputs.required(1).scalarInt()) }
}
