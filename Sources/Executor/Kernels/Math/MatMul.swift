import ModelIR

/// numpy `matmul`: 1-D operands are promoted and the added axis removed, leading axes broadcast.
/// Float, float16 and bfloat16 go through `sgemm`, double through `dgemm`.
struct MatMul_1: TensorKernel, AttributeFreeKernel {
    static let opType = "MatMul", sinceVersion = 1
    static let inputArity = 2...2

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try computingHalvesInFloat(inputs) { inputs in
            [try MatMul_1.multiply(inputs.required(0), inputs.required(1))]
        }
    }

    static func multiply(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.dataType == b.dataType else { throw KernelError.invalidInput("input types differ: \(a.dataType) and \(b.dataType)") }
        guard a.rank >= 1, b.rank >= 1 else { throw KernelError.invalidInput("MatMul needs inputs of rank 1 or more") }
        let aShape = a.rank == 1 ? [1] + a.shape : a.shape
        let bShape = b.rank == 1 ? b.shape + [1] : b.shape
        let m = aShape[aShape.count - 2], k = aShape[aShape.count - 1]
        let k2 = bShape[bShape.count - 2], n = bShape[bShape.count - 1]
        guard k == k2 else { throw KernelError.invalidInput("inner dimensions differ: \(a.shape) × \(b.shape)") }
        let batch = try Broadcast.shape(Array(aShape.dropLast(2)), Array(bShape.dropLast(2)))
        let batchCount = batch.reduce(1, *)
        let aBatch = try Broadcast.sourceIndices(of: Array(aShape.dropLast(2)), in: batch)
        let bBatch = try Broadcast.sourceIndices(of: Array(bShape.dropLast(2)), in: batch)
        var shape = batch + [m, n]
        if a.rank == 1 { shape.remove(at: shape.count - 2) }
        if b.rank == 1 { shape.remove(at: shape.count - 1) }
        let visitor = Visitor(a: a, b: b, shape: shape, m: m, n: n, k: k, batchCount: batchCount, aBatch: aBatch, bBatch: bBatch)
        return try dispatchNumeric(a.dataType, visitor)
    }

    struct Visitor: NumericVisitor {
        let a: Tensor, b: Tensor
        let shape: [Int]
        let m: Int, n: Int, k: Int, batchCount: Int
        let aBatch: [Int], bBatch: [Int]

        func visit<T: NumericScalar>(_ type: T.Type) throws -> Tensor {
            try a.withElements(T.self) { x in
                try b.withElements(T.self) { y in
                    try Tensor.filled(T.self, shape: shape) { out in
                        for batch in 0..<batchCount {
                            let xa = aBatch[batch] * m * k, yb = bBatch[batch] * k * n, o = batch * m * n
                            try product(x, xa, y, yb, out, o)
                        }
                    }
                }
            }
        }

        private func product<T: NumericScalar>(_ x: UnsafeBufferPointer<T>, _ xa: Int, _ y: UnsafeBufferPointer<T>, _ yb: Int,
                                               _ out: UnsafeMutableBufferPointer<T>, _ o: Int) throws {
            guard m > 0, n > 0, let xBase = x.baseAddress, let yBase = y.baseAddress, let oBase = out.baseAddress else { return }
            if T.self == Float.self {
                try BLAS.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                              a: UnsafeRawPointer(xBase + xa).assumingMemoryBound(to: Float.self), lda: max(k, 1),
                              b: UnsafeRawPointer(yBase + yb).assumingMemoryBound(to: Float.self), ldb: n, beta: 0,
                              c: UnsafeMutableRawPointer(oBase + o).assumingMemoryBound(to: Float.self), ldc: n)
            } else if T.self == Double.self {
                try BLAS.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                              a: UnsafeRawPointer(xBase + xa).assumingMemoryBound(to: Double.self), lda: max(k, 1),
                              b: UnsafeRawPointer(yBase + yb).assumingMemoryBound(to: Double.self), ldb: n, beta: 0,
                              c: UnsafeMutableRawPointer(oBase + o).assumingMemoryBound(to: Double.self), ldc: n)
            } else {
                for row in 0..<m {
                    for column in 0..<n {
                        var sum = T.zero
                        for inner in 0..<k { sum = .add(sum, .multiply(x[xa + row * k + inner], y[yb + inner * n + column])) }
                        out[o + row * n + column] = sum
                    }
                }
            }
        }
    }
}

/// `alpha · op(A) · op(B) + beta · C`, C broadcast to M×N (optional from opset 11); the
/// opset 1–6 `broadcast` attribute is accepted and broadcasting always applies.
struct Gemm_1: TensorKernel {
    static let opType = "Gemm", sinceVersion = 1
    static let inputArity = 2...3
    let alpha: Float, beta: Float
    let transA: Bool, transB: Bool

    init(_ node: KernelNode) throws {
        alpha = try node.float("alpha", default: 1)
        beta = try node.float("beta", default: 1)
        transA = try node.int("transA", default: 0) != 0
        transB = try node.int("transB", default: 0) != 0
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try computingHalvesInFloat(inputs) { inputs in
            let a = try inputs.required(0), b = try inputs.required(1)
            guard a.rank == 2, b.rank == 2 else { throw KernelError.invalidInput("Gemm needs 2-D A and B") }
            let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
            let n = transB ? b.shape[0] : b.shape[1], k2 = transB ? b.shape[1] : b.shape[0]
            guard k == k2 else { throw KernelError.invalidInput("inner dimensions differ: \(a.shape) × \(b.shape)") }
            let base: Tensor
            if let c = inputs.optional(2), beta != 0 {
                guard Broadcast.isUnidirectional(c.shape, to: [m, n]) else {
                    throw KernelError.invalidInput("C of shape \(c.shape) does not broadcast to [\(m), \(n)]")
                }
                base = try c.gathering(shape: [m, n], sourceIndices: Broadcast.sourceIndices(of: c.shape, in: [m, n]))
            } else {
                base = try Tensor(zeros: a.dataType, shape: [m, n])
            }
            return [try dispatchNumeric(a.dataType, Visitor(kernel: self, a: a, b: b, c: base, m: m, n: n, k: k))]
        }
    }

    struct Visitor: NumericVisitor {
        let kernel: Gemm_1
        let a: Tensor, b: Tensor, c: Tensor
        let m: Int, n: Int, k: Int

        func visit<T: NumericScalar>(_ type: T.Type) throws -> Tensor {
            var result = c
            let (alpha, beta, transA, transB) = (kernel.alpha, kernel.beta, kernel.transA, kernel.transB)
            let (m, n, k) = (self.m, self.n, self.k)
            try a.withElements(T.self) { x in
                try b.withElements(T.self) { y in
                    try result.withUnsafeMutableBytes { raw in
                        let out = raw.bindMemory(to: T.self)
                        guard let xBase = x.baseAddress, let yBase = y.baseAddress, let oBase = out.baseAddress else { return }
                        let lda = transA ? m : k, ldb = transB ? k : n
                        if T.self == Float.self {
                            try BLAS.gemm(transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: alpha,
                                          a: UnsafeRawPointer(xBase).assumingMemoryBound(to: Float.self), lda: max(lda, 1),
                                          b: UnsafeRawPointer(yBase).assumingMemoryBound(to: Float.self), ldb: max(ldb, 1), beta: beta,
                                          c: UnsafeMutableRawPointer(oBase).assumingMemoryBound(to: Float.self), ldc: max(n, 1))
                        } else if T.self == Double.self {
                            try BLAS.gemm(transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: Double(alpha),
                                          a: UnsafeRawPointer(xBase).assumingMemoryBound(to: Double.self), lda: max(lda, 1),
                                          b: UnsafeRawPointer(yBase).assumingMemoryBound(to: Double.self), ldb: max(ldb, 1), beta: Double(beta),
                                          c: UnsafeMutableRawPointer(oBase).assumingMemoryBound(to: Double.self), ldc: max(n, 1))
                        } else {
                            let alphaT = T(converting: Double(alpha)), betaT = T(converting: Double(beta))
                            for row in 0..<m {
                                for column in 0..<n {
                                    var sum = T.zero
                                    for inner in 0..<k {
                                        let av = transA ? x[inner * m + row] : x[row * k + inner]
                                        let bv = transB ? y[column * k + inner] : y[inner * n + column]
                                        sum = .add(sum, .multiply(av, bv))
                                    }
                                    out[row * n + column] = .add(.multiply(alphaT, sum), .multiply(betaT, out[row * n + column]))
                                }
                            }
                        }
                    }
                }
            }
            return result
        }
    }
}
