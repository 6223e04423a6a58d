/// `Flatten`: the output gradient reshaped to the input's shape.
struct FlattenDerivative: DerivativeRule {
    static let opType = "Flatten"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [try step.outputGradient().reshaped(step.inputShape(0))]
    }
}
