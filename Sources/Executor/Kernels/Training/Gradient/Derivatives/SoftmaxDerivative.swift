/// `Softmax`: ∂x = y ⊙ (∂y − Σ(∂y ⊙ y)) with the sum over the softmax axis (from opset 13) or
/// over the trailing dimensions from `axis` on (before 13, where the input is coerced to 2-D).
struct SoftmaxDerivative: DerivativeRule {
    static let opType = "Softmax"
    let axis: Int
    let coercedTo2D: Bool

    init(_ node: KernelNode) throws {
        coercedTo2D = node.opset < 13
        axis = try node.int("axis", default: coercedTo2D ? 1 : -1)
    }

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let y = try step.output(0), g = try step.outputGradient()
        let shape = y.shape
        guard shape.count > 0 else { return [try GradientArray(repeating: 0, shape: shape)] }
        let axis = try normalizedAxis(self.axis, rank: shape.count)
        let outer = shape[..<axis].reduce(1, *)
        let length = coercedTo2D ? shape[axis...].reduce(1, *) : shape[axis]
        let inner = coercedTo2D ? 1 : shape[(axis + 1)...].reduce(1, *)
        var result = [Double](repeating: 0, count: y.values.count)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var dot = 0.0
                for k in 0..<length { dot += g.values[base + k * inner] * y.values[base + k * inner] }
                for k in 0..<length {
                    let index = base + k * inner
                    result[index] = y.values[index] * (g.values[index] - dot)
                }
            }
        }
        return [GradientArray(shape: shape, values: result)]
    }
}
