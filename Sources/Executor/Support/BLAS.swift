import CBLAS

/// Matrix products through OpenBLAS; row-major, as tensors are stored.
enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C` with `op(A)` of shape m×k and `op(B)` k×n.
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) throws {
        guard m > 0 && n > 0 else { return }
        guard k > 0 else {
            for row in 0..<m { for column in 0..<n { c[row * ldc + column] *= beta } }
            return
        }
        try checkSizes(m, n, k, lda, ldb, ldc)
        if ParallelGemm.run(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc) { return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The double-precision `gemm`.
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                     a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                     beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) throws {
        guard m > 0 && n > 0 else { return }
        guard k > 0 else {
            for row in 0..<m { for column in 0..<n { c[row * ldc + column] *= beta } }
            return
        }
        try checkSizes(m, n, k, lda, ldb, ldc)
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    private static func checkSizes(_ sizes: Int...) throws {
        guard sizes.allSatisfy({ $0 <= Int(Int32.max) }) else {
            throw KernelError.unsupported("matrix dimensions \(sizes) exceed BLAS's 32-bit limit")
        }
    }
}

extension BLAS {
    /// `gemm` for any numeric type: `sgemm` for Float, `dgemm` for Double, plain loops otherwise.
    static func gemm<T: NumericScalar>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                       a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                       beta: T, c: UnsafeMutablePointer<T>, ldc: Int) throws {
        if T.self == Float.self {
            try gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha.doubleValue.float,
                     a: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda: lda,
                     b: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb: ldb, beta: beta.doubleValue.float,
                     c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc)
        } else if T.self == Double.self {
            try gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha.doubleValue,
                     a: UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), lda: lda,
                     b: UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), ldb: ldb, beta: beta.doubleValue,
                     c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc: ldc)
        } else {
            for row in 0..<m {
                for column in 0..<n {
                    var sum = T.zero
                    for inner in 0..<k {
                        let av = transposeA ? a[inner * lda + row] : a[row * lda + inner]
                        let bv = transposeB ? b[column * ldb + inner] : b[inner * ldb + column]
                        sum = .add(sum, .multiply(av, bv))
                    }
                    let previous = beta == .zero ? T.zero : T.multiply(beta, c[row * ldc + column])
                    c[row * ldc + column] = .add(.multiply(alpha, sum), previous)
                }
            }
        }
    }
}

private extension Double {
    var float: Float { Float(self) }
}
