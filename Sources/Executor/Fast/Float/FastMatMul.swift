import CFloatKernels
import ModelIR

/// Float MatMul whose right operand is a constant matrix (the weights of a transformer's linear
/// layers): the matrix prepared once when the plan is made (`ConstantWeightMatrix`), every leading
/// axis of A folded into the rows of one product. Other inputs run `MatMul_1`.
struct FastMatMul: TensorKernel {
    static let opType = "MatMul", sinceVersion = 1
    static let inputArity = 2...2
    let weights: ConstantWeightMatrix

    init(weights: ConstantWeightMatrix) { self.weights = weights }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastMatMul is made by the fast plan, with its weights") }

    /// The kernel for a MatMul step whose second input is `weight`, or nil when no product kernel
    /// for constant weights runs on this CPU or `weight` is not a 2-D float matrix.
    static func replacing(weight: Tensor?) -> FastMatMul? {
        guard let weight, let matrix = ConstantWeightMatrix(weight, transposed: false) else { return nil }
        return FastMatMul(weights: matrix)
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let a = try inputs.required(0)
        guard a.dataType == .float, a.rank >= 1, a.shape[a.rank - 1] == weights.k, try inputs.required(1).shape == weights.shape else {
            return try MatMul_1().compute(inputs)
        }
        let rows = a.rank == 1 ? 1 : a.shape.dropLast().reduce(1, *)
        let shape = Array(a.shape.dropLast()) + [weights.n]
        var ran = true
        let y = try a.withElements(Float.self) { xs in
            try inputs.required(1).withElements(Float.self) { ws in
                try Tensor.overwritten(Float.self, shape: shape) { out in
                    guard let x = xs.baseAddress, let w = ws.baseAddress, let o = out.baseAddress else { return }
                    ran = weights.product(a: x, rows: rows, bias: nil, c: o, source: w)
                }
            }
        }
        guard ran else { return try MatMul_1().compute(inputs) }
        return [y]
    }
}
