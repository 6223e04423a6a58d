#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ModelIR

/// Float LRN: for a block of positions at a time, each channel's window sum of squares and
/// `y = x · (bias + alpha / size · Σ x²)^−beta` in one vectorizable pass, with β = 0.75 (the usual
/// value) as two square roots instead of a power; blocks are split over the executor's threads.
/// Other types run `LRN_1`.
struct FastLRN: TensorKernel {
    static let opType = "LRN", sinceVersion = 1
    let lrn: LRN_1

    init(lrn: LRN_1) { self.lrn = lrn }
    init(_ node: KernelNode) throws { lrn = try LRN_1(node) }

    /// Positions per block: the window's rows of a block stay in the L1 cache.
    private static let block = 512

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        guard x.dataType == .float, x.rank >= 2 else { return try lrn.compute(inputs) }
        let batch = x.shape[0], channels = x.shape[1], plane = x.shape[2...].reduce(1, *)
        let below = (lrn.size - 1) / 2, above = lrn.size - 1 - below
        let bias = Float(lrn.bias), factor = Float(lrn.alpha / Double(lrn.size)), beta = Float(lrn.beta)
        let blocks = (plane + Self.block - 1) / Self.block
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: x.shape) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress, plane > 0 else { return }
                ParallelFor.run(batch * blocks, grain: max(1, 64 / max(channels, 1))) { chunk in
                    let sums = UnsafeMutablePointer<Float>.allocate(capacity: Self.block)
                    defer { sums.deallocate() }
                    for part in chunk {
                        let n = part / blocks, start = part % blocks * Self.block
                        let count = min(Self.block, plane - start)
                        let image = source + n * channels * plane + start, result = target + n * channels * plane + start
                        for c in 0..<channels {
                            let low = max(0, c - below), high = min(channels - 1, c + above)
                            sums.update(repeating: 0, count: count)
                            if low <= high {
                                for k in low...high {
                                    let row = image + k * plane
                                    for i in 0..<count { sums[i] += row[i] * row[i] }
                                }
                            }
                            let from = image + c * plane, to = result + c * plane
                            if beta == 0.75 {
                                var i = 0
                                while i + 8 <= count {
                                    let t = SIMD8<Float>(repeating: bias) + factor * UnsafeRawPointer(sums + i).loadUnaligned(as: SIMD8<Float>.self)
                                    let root = t.squareRoot()
                                    let v = UnsafeRawPointer(from + i).loadUnaligned(as: SIMD8<Float>.self) / (root * root.squareRoot())
                                    UnsafeMutableRawPointer(to + i).storeBytes(of: v, as: SIMD8<Float>.self)
                                    i += 8
                                }
                                while i < count {
                                    let t = bias + factor * sums[i]
                                    let root = t.squareRoot()
                                    to[i] = from[i] / (root * root.squareRoot())
                                    i += 1
                                }
                            } else {
                                for i in 0..<count { to[i] = from[i] * expf(-beta * logf(bias + factor * sums[i])) }
                            }
                        }
                    }
                }
            }
        }
        return [y]
    }
}
