import Foundation

/// `Pow`: z = xʸ, ∂z/∂x = y·xʸ⁻¹ and ∂z/∂y = z·ln x, each summed to its input's shape. Where x = 0
/// and y ≥ 0 the exponent's gradient is taken as 0 (its one-sided limit), as PyTorch does.
struct PowDerivative: DerivativeRule {
    static let opType = "Pow"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let gradient = try step.outputGradient()
        let x = try step.input(0), y = try step.input(1)
        return try step.gradients(count: 2) { index in
            let full: GradientArray
            if index == 0 {
                full = try GradientArray.zip(gradient, x, y) { g, x, y in g * y * Foundation.pow(x, y - 1) }
            } else {
                let scaled = try gradient * step.output(0)
                full = try GradientArray.zip(scaled, x, y) { gz, x, y in x == 0 && y >= 0 ? 0 : gz * Foundation.log(x) }
            }
            return try full.summed(to: step.inputShape(index))
        }
    }
}
