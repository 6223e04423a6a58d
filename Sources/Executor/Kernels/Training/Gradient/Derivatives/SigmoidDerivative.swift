/// `Sigmoid`: σ′(x) = σ(x)·(1 − σ(x)), taken from the forward output.
struct SigmoidDerivative: DerivativeRule {
    static let opType = "Sigmoid"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [try GradientArray.zip(step.outputGradient(), step.output(0)) { g, y in g * y * (1 - y) }]
    }
}
