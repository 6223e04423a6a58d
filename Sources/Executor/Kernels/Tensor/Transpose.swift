import ModelIR

/// Permutes axes by `perm` (reversed by default).
struct Transpose_1: TensorKernel {
    static let opType = "Transpose", sinceVersion = 1
    let permutation: [Int]?
    init(_ node: KernelNode) throws { permutation = try node.ints("perm") }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0)
        let (shape, indices) = try Indexing.transposed(data.shape, permutation: permutation ?? Array((0..<data.rank).reversed()))
        return [try data.gathering(shape: shape, sourceIndices: indices)]
    }
}
