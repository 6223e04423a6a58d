/// `Tanh`: tanh′(x) = 1 − tanh²(x), taken from the forward output.
struct TanhDerivative: DerivativeRule {
    static let opType = "Tanh"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [try GradientArray.zip(step.outputGradient(), step.output(0)) { g, y in g * (1 - y * y) }]
    }
}
