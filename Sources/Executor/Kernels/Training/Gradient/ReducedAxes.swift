/// What `ReduceSum` and `ReduceMean` share: which axes a node reduced, read as the operator
/// does at any opset (the `axes` input when present, else the `axes` attribute; none means all
/// axes unless `noop_with_empty_axes`), and the output gradient spread back over them.
struct ReducedAxes {
    let attributeAxes: [Int]?
    let keepDims: Bool
    let noopWithEmptyAxes: Bool

    init(_ node: KernelNode) throws {
        attributeAxes = try node.ints("axes")
        keepDims = try node.int("keepdims", default: 1) != 0
        noopWithEmptyAxes = try node.int("noop_with_empty_axes", default: 0) != 0
    }

    /// The reduced axes, non-negative and ascending; nil when the node reduced nothing.
    func axes(_ step: DerivativeStep) throws -> [Int]? {
        let rank = try step.inputShape(0).count
        var listed = attributeAxes ?? []
        if step.inputs.count > 1, let tensor = step.inputs[1] { listed = try tensor.indexValues() }
        if listed.isEmpty { return noopWithEmptyAxes ? nil : Array(0..<rank) }
        return try normalizedAxes(listed, rank: rank).sorted()
    }

    /// The output gradient broadcast back to the input's shape over the reduced `axes`.
    func spread(_ step: DerivativeStep, axes: [Int]) throws -> GradientArray {
        var keptShape = try step.inputShape(0)
        for axis in axes { keptShape[axis] = 1 }
        return try step.outputGradient().reshaped(keptShape).broadcast(to: step.inputShape(0))
    }
}
