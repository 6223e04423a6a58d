/// `LeakyRelu`: the output gradient where the input is positive, `alpha` times it elsewhere.
struct LeakyReluDerivative: DerivativeRule {
    static let opType = "LeakyRelu"
    let alpha: Double

    init(_ node: KernelNode) throws {
        alpha = Double(try node.float("alpha", default: 0.01))
    }

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        [try GradientArray.zip(step.outputGradient(), step.input(0)) { g, x in x > 0 ? g : alpha * g }]
    }
}
