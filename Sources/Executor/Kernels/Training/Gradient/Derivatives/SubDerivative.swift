/// `Sub`: `A` receives the output gradient and `B` its negation, each summed to its own shape.
struct SubDerivative: DerivativeRule {
    static let opType = "Sub"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let gradient = try step.outputGradient()
        return try step.gradients(count: 2) { index in
            let summed = try gradient.summed(to: step.inputShape(index))
            return index == 0 ? summed : -summed
        }
    }
}
