/// `Log`: log′(x) = 1/x.
struct LogDerivative: DerivativeRule {
    static let opType = "Log"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [try GradientArray.zip(step.outputGradient(), step.input(0)) { g, x in g / x }]
    }
}
