/// `Gemm`: Y = α·A′·B′ + β·C with A′, B′ the inputs transposed as `transA`, `transB` say.
/// ∂A′ = α·∂Y·B′ᵀ and ∂B′ = α·A′ᵀ·∂Y, transposed back where the input was; ∂C = β·∂Y summed to C's shape.
struct GemmDerivative: DerivativeRule {
    static let opType = "Gemm"
    let alpha: Double, beta: Double
    let transposeA: Bool, transposeB: Bool

    init(_ node: KernelNode) throws {
        alpha = Double(try node.float("alpha", default: 1))
        beta = Double(try node.float("beta", default: 1))
        transposeA = try node.int("transA", default: 0) != 0
        transposeB = try node.int("transB", default: 0) != 0
    }

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let g = try step.outputGradient()
        return try step.gradients(count: step.inputs.count) { index in
            switch index {
            case 0:
                let b = try step.input(1)
                let product = transposeA
                    ? try GradientArray.matrixProduct(b, transposed: transposeB, g, transposed: true)
                    : try GradientArray.matrixProduct(g, transposed: false, b, transposed: !transposeB)
                return product.map { alpha * $0 }
            case 1:
                let a = try step.input(0)
                let product = transposeB
                    ? try GradientArray.matrixProduct(g, transposed: true, a, transposed: transposeA)
                    : try GradientArray.matrixProduct(a, transposed: !transposeA, g, transposed: false)
                return product.map { alpha * $0 }
            default:
                return try g.map { beta * $0 }.summed(to: step.inputShape(2))
            }
        }
    }
}
