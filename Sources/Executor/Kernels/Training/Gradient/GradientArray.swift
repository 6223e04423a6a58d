import ModelIR

/// A real tensor held as `Double`s, the working type of reverse-mode differentiation: forward
/// values and gradients of any floating-point type are computed on in double precision and
/// rounded once to the type of the value they are the gradient of.
struct GradientArray: Sendable {
    var shape: [Int]
    var values: [Double]

    init(shape: [Int], values: [Double]) {
        self.shape = shape
        self.values = values
    }

    /// `value` in every element of `shape`.
    init(repeating value: Double, shape: [Int]) throws {
        self.init(shape: shape, values: [Double](repeating: value, count: try Tensor.checkedCount(shape)))
    }

    /// The elements of a real numeric tensor.
    init(_ tensor: Tensor) throws {
        self.init(shape: tensor.shape, values: try tensor.doubleValues())
    }

    var rank: Int { shape.count }

    /// The values rounded to `dataType`.
    func tensor(as dataType: DataType) throws -> Tensor {
        try Tensor(converting: values, to: dataType, shape: shape)
    }

    func map(_ transform: (Double) -> Double) -> GradientArray {
        GradientArray(shape: shape, values: values.map(transform))
    }

    static prefix func - (operand: GradientArray) -> GradientArray { operand.map { -$0 } }

    /// `combine` applied elementwise to `a` and `b` broadcast together.
    static func zip(_ a: GradientArray, _ b: GradientArray,
                    _ combine: (Double, Double) -> Double) throws -> GradientArray {
        if a.shape == b.shape {
            return GradientArray(shape: a.shape, values: Swift.zip(a.values, b.values).map(combine))
        }
        let shape = try Broadcast.shape(a.shape, b.shape)
        let ia = try Broadcast.sourceIndices(of: a.shape, in: shape)
        let ib = try Broadcast.sourceIndices(of: b.shape, in: shape)
        return GradientArray(shape: shape, values: ia.indices.map { combine(a.values[ia[$0]], b.values[ib[$0]]) })
    }

    /// `combine` applied elementwise to `a`, `b` and `c` broadcast together.
    static func zip(_ a: GradientArray, _ b: GradientArray, _ c: GradientArray,
                    _ combine: (Double, Double, Double) -> Double) throws -> GradientArray {
        let shape = try Broadcast.shape([a.shape, b.shape, c.shape])
        let ia = try Broadcast.sourceIndices(of: a.shape, in: shape)
        let ib = try Broadcast.sourceIndices(of: b.shape, in: shape)
        let ic = try Broadcast.sourceIndices(of: c.shape, in: shape)
        return GradientArray(shape: shape, values: ia.indices.map { combine(a.values[ia[$0]], b.values[ib[$0]], c.values[ic[$0]]) })
    }

    static func + (lhs: GradientArray, rhs: GradientArray) throws -> GradientArray { try zip(lhs, rhs, +) }
    static func * (lhs: GradientArray, rhs: GradientArray) throws -> GradientArray { try zip(lhs, rhs, *) }

    /// This array copied along the dimensions where `shape` is larger (numpy broadcasting).
    func broadcast(to target: [Int]) throws -> GradientArray {
        if shape == target { return self }
        guard Broadcast.isUnidirectional(shape, to: target) else {
            throw KernelError.invalidInput("a gradient of shape \(shape) does not broadcast to \(target)")
        }
        let source = try Broadcast.sourceIndices(of: shape, in: target)
        return GradientArray(shape: target, values: source.map { values[$0] })
    }

    /// The gradient of a value of shape `target` that was broadcast to this array's shape: the sum
    /// over every element that read the same source element.
    func summed(to target: [Int]) throws -> GradientArray {
        if shape == target { return self }
        guard Broadcast.isUnidirectional(target, to: shape) else {
            throw KernelError.invalidInput("shape \(target) does not broadcast to the gradient's shape \(shape)")
        }
        let source = try Broadcast.sourceIndices(of: target, in: shape)
        var result = [Double](repeating: 0, count: try Tensor.checkedCount(target))
        for (position, index) in source.enumerated() { result[index] += values[position] }
        return GradientArray(shape: target, values: result)
    }

    /// The same elements under `newShape`, which must hold as many.
    func reshaped(_ newShape: [Int]) throws -> GradientArray {
        guard try Tensor.checkedCount(newShape) == values.count else {
            throw KernelError.invalidInput("cannot reshape a gradient of shape \(shape) to \(newShape)")
        }
        return GradientArray(shape: newShape, values: values)
    }

    /// The axes reordered: output axis `i` is input axis `permutation[i]`.
    func transposed(_ permutation: [Int]) throws -> GradientArray {
        let (newShape, source) = try Indexing.transposed(shape, permutation: permutation)
        return GradientArray(shape: newShape, values: source.map { values[$0] })
    }

    /// The product of two matrices (rank 2), either taken transposed.
    static func matrixProduct(_ a: GradientArray, transposed transposeA: Bool,
                              _ b: GradientArray, transposed transposeB: Bool) throws -> GradientArray {
        guard a.rank == 2, b.rank == 2 else {
            throw KernelError.invalidInput("matrix product of shapes \(a.shape) and \(b.shape): both must be rank 2")
        }
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let kb = transposeB ? b.shape[1] : b.shape[0], n = transposeB ? b.shape[0] : b.shape[1]
        guard k == kb else {
            throw KernelError.invalidInput("matrix product of shapes \(a.shape) and \(b.shape) (transposed: \(transposeA), \(transposeB)): inner sizes differ")
        }
        var result = [Double](repeating: 0, count: try Tensor.checkedCount([m, n]))
        try a.values.withUnsafeBufferPointer { pa in
            try b.values.withUnsafeBufferPointer { pb in
                try result.withUnsafeMutableBufferPointer { pc in
                    guard let baseA = pa.baseAddress, let baseB = pb.baseAddress, let baseC = pc.baseAddress else { return }
                    try BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                                  a: baseA, lda: a.shape[1], b: baseB, ldb: b.shape[1], beta: 0, c: baseC, ldc: n)
                }
            }
        }
        return GradientArray(shape: [m, n], values: result)
    }
}
