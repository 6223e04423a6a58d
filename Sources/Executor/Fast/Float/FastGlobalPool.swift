import ModelIR

/// Float GlobalAveragePool and GlobalMaxPool: each N×C plane reduced in vector lanes (float sums
/// in eight lanes, then added up), the planes split over the executor's threads. A plane holding
/// a NaN gives NaN for either reduction. Other types, rank-2 inputs and empty planes run the step's own kernel.
struct FastGlobalPool: Kernel {
    static let opType = "GlobalPool", sinceVersion = 1
    enum Reduction { case average, max }

    let reduction: Reduction
    let fallback: any Kernel

    init(reduction: Reduction, fallback: any Kernel) {
        self.reduction = reduction
        self.fallback = fallback
    }

    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastGlobalPool is made from a prepared kernel") }

    /// The fast kernel for a GlobalAveragePool or GlobalMaxPool step, nil for other operators.
    static func replacing(_ kernel: any Kernel) -> FastGlobalPool? {
        switch kernel {
        case is GlobalAveragePool_1: FastGlobalPool(reduction: .average, fallback: kernel)
        case is GlobalMaxPool_1: FastGlobalPool(reduction: .max, fallback: kernel)
        default: nil
        }
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard inputs.count == 1, let x = inputs[0]?.tensor, x.dataType == .float, x.rank >= 3 else {
            return try fallback.run(inputs, context: context)
        }
        let planes = x.shape[0] * x.shape[1], size = x.shape[2...].reduce(1, *)
        guard size > 0 else { return try fallback.run(inputs, context: context) }
        let reduction = reduction
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: Array(x.shape[..<2]) + [Int](repeating: 1, count: x.rank - 2)) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress else { return }
                ParallelFor.run(planes, grain: max(1, 32768 / size)) { chunk in
                    for plane in chunk {
                        let values = source + plane * size
                        switch reduction {
                        case .average: target[plane] = Self.sum(values, count: size) / Float(size)
                        case .max: target[plane] = Self.maximum(values, count: size)
                        }
                    }
                }
            }
        }
        return [.tensor(y)]
    }

    private typealias Vector = SIMD8<Float>

    private static func load(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    /// The sum of `count` floats, in two vectors of lanes.
    static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        var a = Vector(), b = Vector()
        var i = 0
        while i + 2 * Vector.scalarCount <= count {
            a += load(values + i)
            b += load(values + i + Vector.scalarCount)
            i += 2 * Vector.scalarCount
        }
        var total = (a + b).sum()
        while i < count {
            total += values[i]
            i += 1
        }
        return total
    }

    /// The largest of `count` (at least one) floats, or NaN when one of them is NaN.
    static func maximum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        var best = Vector(repeating: -.infinity)
        var nan = SIMDMask<Vector.MaskStorage>(repeating: false)
        var i = 0
        while i + Vector.scalarCount <= count {
            let v = load(values + i)
            best = best.replacing(with: v, where: best .< v)
            nan .|= v .!= v
            i += Vector.scalarCount
        }
        var result = best.max()
        while i < count {
            let v = values[i]
            if v.isNaN { return .nan }
            result = v > result ? v : result
            i += 1
        }
        return any(nan) ? .nan : result
    }
}
