/// `Add`: each addend receives the output gradient, summed over the axes it was broadcast along.
struct AddDerivative: DerivativeRule {
    static let opType = "Add"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let gradient = try step.outputGradient()
        return try step.gradients(count: 2) { try gradient.summed(to: step.inputShape($0)) }
    }
}
