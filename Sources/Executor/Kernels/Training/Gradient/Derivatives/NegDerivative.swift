/// `Neg`: the negated output gradient.
struct NegDerivative: DerivativeRule {
    static let opType = "Neg"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [-(try step.outputGradient())]
    }
}
