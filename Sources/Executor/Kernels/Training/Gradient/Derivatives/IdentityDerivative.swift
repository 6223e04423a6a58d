/// `Identity`: the output gradient unchanged.
struct IdentityDerivative: DerivativeRule {
    static let opType = "Identity"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [try step.outputGradient()]
    }
}
