/// `Relu`: the output gradient where the input is positive, zero elsewhere (zero at 0, as the
/// frameworks define it).
struct ReluDerivative: DerivativeRule {
    static let opType = "Relu"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [try GradientArray.zip(step.outputGradient(), step.input(0)) { g, x in x > 0 ? g : 0 }]
    }
}
