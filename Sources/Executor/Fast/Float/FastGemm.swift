import CBLAS
import ModelIR

/// Float Gemm on the fast kernels: with constant weights (`alpha` 1, A not transposed) the product
/// of `FastMatMul` (`ConstantWeightMatrix`), the addend folded in as a per-column bias; otherwise a single row
/// (batch 1 fully connected layers) as one `sgemv`, which reads the weights in place instead of
/// packing them as `sgemm` does on every call. Other shapes and types run `Gemm_1`.
struct FastGemm: TensorKernel {
    static let opType = "Gemm", sinceVersion = 1
    static let inputArity = 2...3
    let gemm: Gemm_1
    /// op(B) prepared for products, when B is constant and a product kernel runs on this CPU.
    let weights: ConstantWeightMatrix?

    init(gemm: Gemm_1, weight: Tensor? = nil) {
        self.gemm = gemm
        weights = gemm.alpha == 1 && !gemm.transA ? weight.flatMap { ConstantWeightMatrix($0, transposed: gemm.transB) } : nil
    }
    init(_ node: KernelNode) throws { gemm = try Gemm_1(node); weights = nil }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let a = try inputs.required(0), b = try inputs.required(1), c = inputs.optional(2)
        guard a.dataType == .float, b.dataType == .float, a.rank == 2, b.rank == 2, c.map({ $0.dataType == .float }) ?? true else {
            return try gemm.compute(inputs)
        }
        let m = gemm.transA ? a.shape[1] : a.shape[0], k = gemm.transA ? a.shape[0] : a.shape[1]
        let n = gemm.transB ? b.shape[0] : b.shape[1], k2 = gemm.transB ? b.shape[1] : b.shape[0]
        let addend = gemm.beta != 0 ? c : nil
        if let weights, b.shape == weights.shape, k == weights.k, let bias = try columnBias(addend, n: n) {
            var ran = true
            let y = try a.withElements(Float.self) { xs in
                try b.withElements(Float.self) { ws in
                    try Tensor.overwritten(Float.self, shape: [m, n]) { out in
                        guard let x = xs.baseAddress, let w = ws.baseAddress, let o = out.baseAddress else { return }
                        bias.withUnsafeBufferPointer { values in
                            ran = weights.product(a: x, rows: m, bias: addend == nil ? nil : values.baseAddress, c: o, source: w)
                        }
                    }
                }
            }
            if ran { return [y] }
        }
        guard m == 1, k == k2, k > 0, n > 0, b.shape.allSatisfy({ $0 <= Int(Int32.max) }),
              addend.map({ $0.elementCount == n && $0.rank <= 2 && ($0.rank < 2 || $0.shape[0] == 1) || $0.elementCount == 1 }) ?? true else {
            return try gemm.compute(inputs)
        }
        let bias = try addend.map { try $0.floatValues() }
        let y = try a.withElements(Float.self) { xs in
            try b.withElements(Float.self) { ws in
                try Tensor.overwritten(Float.self, shape: [1, n]) { out in
                    guard let x = xs.baseAddress, let w = ws.baseAddress, let o = out.baseAddress else { return }
                    ParallelGemm.gemv(transpose: !gemm.transB, rows: b.shape[0], columns: b.shape[1], alpha: gemm.alpha, a: w, x: x, y: o)
                    if let bias {
                        let beta = gemm.beta
                        if bias.count == 1 {
                            for i in 0..<n { o[i] += beta * bias[0] }
                        } else {
                            for i in 0..<n { o[i] += beta * bias[i] }
                        }
                    }
                }
            }
        }
        return [y]
    }

    /// `beta · addend` as one value per column: [] without an addend, nil when the addend is not a
    /// scalar, an [n] vector or a [1, n] row.
    private func columnBias(_ addend: Tensor?, n: Int) throws -> [Float]? {
        guard let addend else { return [] }
        let beta = gemm.beta
        if addend.elementCount == 1 { return [Float](repeating: beta * (try addend.floatValues()[0]), count: n) }
        guard addend.elementCount == n, addend.rank == 1 || (addend.rank == 2 && addend.shape[0] == 1) else { return nil }
        return try addend.floatValues().map { beta * $0 }
    }
}
