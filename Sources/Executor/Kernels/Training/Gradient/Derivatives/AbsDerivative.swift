/// `Abs`: the output gradient times the sign of the input (zero at 0).
struct AbsDerivative: DerivativeRule {
    static let opType = "Abs"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [try GradientArray.zip(step.outputGradient(), step.input(0)) { g, x in x > 0 ? g : x < 0 ? -g : 0 }]
    }
}
