/// `Sum` (variadic, broadcasting): every input receives the output gradient summed to its shape.
struct SumDerivative: DerivativeRule {
    static let opType = "Sum"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let gradient = try step.outputGradient()
        return try step.gradients(count: step.inputs.count) { try gradient.summed(to: step.inputShape($0)) }
    }
}
