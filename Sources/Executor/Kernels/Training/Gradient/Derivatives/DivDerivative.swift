/// `Div`: ∂(a/b)/∂a = 1/b and ∂(a/b)/∂b = −a/b², summed to each input's shape.
struct DivDerivative: DerivativeRule {
    static let opType = "Div"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let gradient = try step.outputGradient()
        let a = try step.input(0), b = try step.input(1)
        return try step.gradients(count: 2) { index in
            let full = index == 0
                ? try GradientArray.zip(gradient, b) { g, b in g / b }
                : try GradientArray.zip(gradient, a, b) { g, a, b in -g * a / (b * b) }
            return try full.summed(to: step.inputShape(index))
        }
    }
}
