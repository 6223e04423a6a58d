/// `Unsqueeze`: the output gradient reshaped to the data input's shape; the axes input has none.
struct UnsqueezeDerivative: DerivativeRule {
    static let opType = "Unsqueeze"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [try step.outputGradient().reshaped(step.inputShape(0))] + Array(repeating: nil, count: max(step.inputs.count - 1, 0))
    }
}
