import ModelIR

/// Determinants of the trailing square matrices, by LU decomposition with partial pivoting.
struct Det_11: TensorKernel, AttributeFreeKernel {
    static let opType = "Det", sinceVersion = 11
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        guard x.rank >= 2, x.shape[x.rank - 1] == x.shape[x.rank - 2] else { throw KernelError.invalidInput("Det needs square trailing matrices, got \(x.shape)") }
        let n = x.shape[x.rank - 1], values = try x.doubleValues()
        let batch = values.count / max(n * n, 1)
        let determinants = (0..<batch).map { b -> Double in
            var m = Array(values[(b * n * n)..<((b + 1) * n * n)])
            var det = 1.0
            for column in 0..<n {
                guard let pivot = (column..<n).max(by: { abs(m[$0 * n + column]) < abs(m[$1 * n + column]) }), m[pivot * n + column] != 0 else { return 0 }
                if pivot != column {
                    for k in 0..<n { m.swapAt(pivot * n + k, column * n + k) }
                    det = -det
                }
                det *= m[column * n + column]
                for row in (column + 1)..<max(n, column + 1) {
                    let factor = m[row * n + column] / m[column * n + column]
                    for k in column..<n { m[row * n + k] -= factor * m[column * n + k] }
                }
            }
            return det
        }
        return [try Tensor(converting: determinants, to: x.dataType, shape: Array(x.shape.dropLast(2)))]
    }
}
