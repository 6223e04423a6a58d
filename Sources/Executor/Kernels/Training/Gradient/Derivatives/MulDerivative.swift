/// `Mul`: ∂(a·b)/∂a = b and ∂(a·b)/∂b = a, summed to each input's shape.
struct MulDerivative: DerivativeRule {
    static let opType = "Mul"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let gradient = try step.outputGradient()
        return try step.gradients(count: 2) { index in
            try (gradient * step.input(1 - index)).summed(to: step.inputShape(index))
        }
    }
}
