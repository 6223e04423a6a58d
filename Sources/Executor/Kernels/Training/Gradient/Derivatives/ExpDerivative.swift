/// `Exp`: exp′(x) = exp(x), taken from the forward output.
struct ExpDerivative: DerivativeRule {
    static let opType = "Exp"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [try step.outputGradient() * step.output(0)]
    }
}
