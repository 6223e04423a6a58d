import ModelIR

/// numpy-style broadcasting.
public enum Broadcast {
    /// The multidirectional broadcast of `shapes`: aligned at the right, each dimension equal or 1.
    public static func shape(_ shapes: [[Int]]) throws -> [Int] {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int](repeating: 1, count: rank)
        for shape in shapes {
            let offset = rank - shape.count
            for (axis, size) in shape.enumerated() {
                let current = result[offset + axis]
                if current == size || size == 1 { continue }
                guard current == 1 else {
                    throw KernelError.invalidInput("shapes \(shapes.map { "\($0)" }.joined(separator: " and ")) do not broadcast")
                }
                result[offset + axis] = size
            }
        }
        return result
    }

    public static func shape(_ a: [Int], _ b: [Int]) throws -> [Int] { try shape([a, b]) }

    /// True when `shape` broadcasts unidirectionally to `target` (as Gemm's C or PRelu's slope must).
    public static func isUnidirectional(_ shape: [Int], to target: [Int]) -> Bool {
        guard shape.count <= target.count else { return false }
        let offset = target.count - shape.count
        return shape.enumerated().allSatisfy { $0.element == 1 || $0.element == target[offset + $0.offset] }
    }

    /// Strides of `shape` seen from `target` (0 along broadcast dimensions), in elements.
    public static func strides(of shape: [Int], in target: [Int]) -> [Int] {
        let own = Strides(shape).values
        let offset = target.count - shape.count
        return target.indices.map { axis in
            let source = axis - offset
            return source < 0 || shape[source] == 1 ? 0 : own[source]
        }
    }

    /// For every element of `target`, the index of the element of `shape` it reads.
    public static func sourceIndices(of shape: [Int], in target: [Int]) throws -> [Int] {
        try Indexing.strided(shape: target, strides: strides(of: shape, in: target))
    }

    /// Calls `body(outer, aOffset, bOffset, length, aStep, bStep)` for runs of output elements, with
    /// dimensions of equal broadcast pattern merged so that inner runs are as long as possible.
    static func forEachRun(_ a: [Int], _ b: [Int], _ output: [Int],
                           _ body: (_ outputOffset: Int, _ aOffset: Int, _ bOffset: Int, _ length: Int, _ aStep: Int, _ bStep: Int) -> Void) {
        let sa = strides(of: a, in: output), sb = strides(of: b, in: output)
        var dims: [(size: Int, sa: Int, sb: Int)] = []
        for axis in output.indices where output[axis] != 1 {
            let next = (output[axis], sa[axis], sb[axis])
            if let last = dims.last, last.sa == next.1 * next.0, last.sb == next.2 * next.0 {
                dims[dims.count - 1] = (last.size * next.0, next.1, next.2)
            } else {
                dims.append(next)
            }
        }
        let total = output.reduce(1, *)
        guard total > 0 else { return }
        guard let inner = dims.last else { body(0, 0, 0, 1, 0, 0); return }
        let outerDims = Array(dims.dropLast())
        var index = [Int](repeating: 0, count: outerDims.count)
        var aOffset = 0, bOffset = 0, outOffset = 0
        while true {
            body(outOffset, aOffset, bOffset, inner.size, inner.sa, inner.sb)
            outOffset += inner.size
            var axis = outerDims.count - 1
            while axis >= 0 {
                index[axis] += 1
                aOffset += outerDims[axis].sa
                bOffset += outerDims[axis].sb
                if index[axis] < outerDims[axis].size { break }
                aOffset -= outerDims[axis].sa * index[axis]
                bOffset -= outerDims[axis].sb * index[axis]
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// `op` applied to `a` and `b` broadcast together.
    public static func map<A: TensorScalar, B: TensorScalar, R: TensorScalar>(
        _ a: Tensor, _ b: Tensor, _ aType: A.Type, _ bType: B.Type, to rType: R.Type,
        _ op: (A, B) -> R
    ) throws -> Tensor {
        let shape = try shape(a.shape, b.shape)
        return try a.withElements(A.self) { x in try b.withElements(B.self) { y in
        try Tensor.filled(R.self, shape: shape) { out in
            if a.shape == b.shape {
                for i in 0..<out.count { out[i] = op(x[i], y[i]) }
                return
            }
            forEachRun(a.shape, b.shape, shape) { o, ao, bo, length, aStep, bStep in
                if aStep == 1 && bStep == 0 {
                    let bv = y[bo]
                    for i in 0..<length { out[o + i] = op(x[ao + i], bv) }
                } else if aStep == 0 && bStep == 1 {
                    let av = x[ao]
                    for i in 0..<length { out[o + i] = op(av, y[bo + i]) }
                } else {
                    for i in 0..<length { out[o + i] = op(x[ao + i * aStep], y[bo + i * bStep]) }
                }
            }
        } } }
    }
}
