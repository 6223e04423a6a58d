import ModelIR

/// `MatMul` with numpy semantics: for C = A·B per batch, ∂A = ∂C·Bᵀ and ∂B = Aᵀ·∂C. A 1-D `A`
/// is a row and a 1-D `B` a column, as in the forward product; batch dimensions that were broadcast
/// are summed back to each input's shape.
struct MatMulDerivative: DerivativeRule {
    static let opType = "MatMul"
    init(_ node: KernelNode) {}

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let a = try step.input(0), b = try step.input(1)
        guard a.rank >= 1, b.rank >= 1 else { throw KernelError.invalidInput("MatMul inputs must have rank 1 or more") }
        let aMatrix = a.rank == 1 ? [1, a.shape[0]] : a.shape
        let bMatrix = b.rank == 1 ? [b.shape[0], 1] : b.shape
        let m = aMatrix[aMatrix.count - 2], k = aMatrix[aMatrix.count - 1], n = bMatrix[bMatrix.count - 1]
        let aBatch = Array(aMatrix.dropLast(2)), bBatch = Array(bMatrix.dropLast(2))
        let batch = try Broadcast.shape(aBatch, bBatch)
        let batchCount = try Tensor.checkedCount(batch)
        let gradient = try step.outputGradient().reshaped(batch + [m, n])
        let aSource = try Broadcast.sourceIndices(of: aBatch, in: batch)
        let bSource = try Broadcast.sourceIndices(of: bBatch, in: batch)

        func block(_ array: GradientArray, _ index: Int, _ rows: Int, _ columns: Int) -> GradientArray {
            let start = index * rows * columns
            return GradientArray(shape: [rows, columns], values: Array(array.values[start..<start + rows * columns]))
        }
        var aGradient: [Double] = [], bGradient: [Double] = []
        for t in 0..<batchCount {
            let g = block(gradient, t, m, n)
            if step.needs(0) {
                aGradient += try GradientArray.matrixProduct(g, transposed: false, block(b, bSource[t], k, n), transposed: true).values
            }
            if step.needs(1) {
                bGradient += try GradientArray.matrixProduct(block(a, aSource[t], m, k), transposed: true, g, transposed: false).values
            }
        }
        return [
            step.needs(0) ? try GradientArray(shape: batch + [m, k], values: aGradient).summed(to: aMatrix).reshaped(a.shape) : nil,
            step.needs(1) ? try GradientArray(shape: batch + [k, n], values: bGradient).summed(to: bMatrix).reshaped(b.shape) : nil,
        ]
    }
}
