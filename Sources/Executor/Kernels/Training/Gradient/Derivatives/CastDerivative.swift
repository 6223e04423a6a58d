import ModelIR

/// `Cast` between floating-point types: the gradient passes through (rounded to the input's type
/// at the end); a cast to or from a non-float type carries none.
struct CastDerivative: DerivativeRule {
    static let opType = "Cast"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        guard let output = step.outputs.first ?? nil, output.dataType.isFloatingPoint else { return [nil] }
        return [try step.outputGradient()]
    }
}
