/// `Sqrt`: √′(x) = 1/(2√x), taken from the forward output.
struct SqrtDerivative: DerivativeRule {
    static let opType = "Sqrt"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [try GradientArray.zip(step.outputGradient(), step.output(0)) { g, y in g / (2 * y) }]
    }
}
