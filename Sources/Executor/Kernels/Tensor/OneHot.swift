import ModelIR

/// One-hot encoding along a new `axis`: `values[1]` where the index is, `values[0]` elsewhere
/// (negative indices count back from `depth`; out-of-range indices give all off).
struct OneHot_9: TensorKernel {
    static let opType = "OneHot", sinceVersion = 9
    static let inputArity = 3...3
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.int("axis", default: -1) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let indicesTensor = try inputs.required(0), values = try inputs.required(2)
        let depth = Int(try inputs.required(1).scalarDouble())
        guard depth >= 0, values.elementCount == 2 else { throw KernelError.invalidInput("depth must be non-negative and values hold [off, on]") }
        let indices = try indicesTensor.doubleValues().map { Int($0) }
        let axis = try normalizedAxis(self.axis, rank: indicesTensor.rank + 1)
        var shape = indicesTensor.shape
        shape.insert(depth, at: axis)
        let outer = indicesTensor.shape[..<axis].reduce(1, *), inner = indicesTensor.shape[axis...].reduce(1, *)
        var map = [Int](repeating: 0, count: try Tensor.checkedCount(shape))
        for o in 0..<outer {
            for d in 0..<depth {
                for i in 0..<inner {
                    var index = indices[o * inner + i]
                    if index < 0 { index += depth }
                    map[(o * depth + d) * inner + i] = index == d ? 1 : 0
                }
            }
        }
        return [try values.reshaped(to: [2]).gathering(shape: shape, sourceIndices: map)]
    }
}
