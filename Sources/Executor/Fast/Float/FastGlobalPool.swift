import ModelIR

/// Float GlobalAveragePool and GlobalMaxPool: each N×C plane reduced in vector lanes (float sums
/// in eight lanes, then added up), the planes split over the executor's threads. A plane holding
/// a NaN gives NaN for either reduction. Other types, rank-2 inputs and empty planes run the step's own kernel.
struct FastGlobalPool: Kernel {
    static let opType = "GlobalPool", sinceVersion = 1
    enum Reduction { case average, max }

    let reduction: Reduction
    let fallback: any Kernel
    /// True when the input is a channels-last [N, H, W, C] float tensor (`ChannelsLastRegions`);
    /// the output is the usual [N, C, 1, 1] either way (the same values in the same order).
    let channelsLast: Bool

    init(reduction: Reduction, fallback: any Kernel, channelsLast: Bool = false) {
        self.reduction = reduction
        self.fallback = fallback
        self.channelsLast = channelsLast
    }

    /// This pool reading channels-last input.
    var onChannelsLast: FastGlobalPool { FastGlobalPool(reduction: reduction, fallback: fallback, channelsLast: true) }

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
        if channelsLast { return try runChannelsLast(inputs) }
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

    /// Channel blocks of a channels-last reduction: each thread sums whole rows of a block.
    private static let channelBlock = 64

    /// The reduction of a channels-last [N, H, W, C] input over H and W, into [N, C, 1, 1]: every
    /// position's row of channels added to (or maxed into) one row of accumulators.
    private func runChannelsLast(_ inputs: [RuntimeValue?]) throws -> [RuntimeValue?] {
        guard inputs.count == 1, let x = inputs[0]?.tensor, x.dataType == .float, x.rank == 4 else {
            throw KernelError.invalidInput("a channels-last global pool expects one 4-D float input")
        }
        let (batch, positions, channels) = (x.shape[0], x.shape[1] * x.shape[2], x.shape[3])
        guard positions > 0 else { throw KernelError.invalidInput("global pooling over an empty plane \(x.shape)") }
        let blocks = (channels + Self.channelBlock - 1) / Self.channelBlock
        let reduction = reduction
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: [batch, channels, 1, 1]) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress, out.count > 0 else { return }
                ParallelFor.run(batch * blocks, grain: max(1, 4096 / positions)) { chunk in
                    for part in chunk {
                        let n = part / blocks, first = part % blocks * Self.channelBlock
                        let count = min(Self.channelBlock, channels - first)
                        let row = target + n * channels + first, image = source + n * positions * channels + first
                        switch reduction {
                        case .average:
                            row.update(repeating: 0, count: count)
                            for p in 0..<positions {
                                let values = image + p * channels
                                for c in 0..<count { row[c] += values[c] }
                            }
                            for c in 0..<count { row[c] /= Float(positions) }
                        case .max:
                            row.update(from: image, count: count)
                            for p in 1..<positions {
                                let values = image + p * channels
                                for c in 0..<count where values[c].isNaN || values[c] > row[c] { row[c] = values[c] }
                            }
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
