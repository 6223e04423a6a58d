import Foundation
import ModelIR

/// Samples X at the normalized grid positions with nearest, (n-)linear or cubic interpolation;
/// positions outside the input read zeros, the border, or a reflection (`padding_mode`).
struct GridSample_16: TensorKernel {
    static let opType = "GridSample", sinceVersion = 16
    static let inputArity = 2...2
    let mode: String, padding: String, alignCorners: Bool

    init(_ node: KernelNode) throws {
        let raw = try node.choice("mode", default: node.opset >= 20 ? "linear" : "bilinear",
                                  in: ["bilinear", "bicubic", "nearest", "linear", "cubic"])
        mode = raw == "bilinear" ? "linear" : raw == "bicubic" ? "cubic" : raw
        padding = try node.choice("padding_mode", default: "zeros", in: ["zeros", "border", "reflection"])
        alignCorners = try node.int("align_corners", default: 0) != 0
    }

    private func reflect(_ x: Double, _ low: Double, _ high: Double) -> Double {
        let range = high - low
        guard range > 0 else { return low }
        if x < low {
            let d = low - x, n = Int(d / range), r = d - Double(n) * range
            return n % 2 == 0 ? low + r : high - r
        }
        if x > high {
            let d = x - high, n = Int(d / range), r = d - Double(n) * range
            return n % 2 == 0 ? high - r : low + r
        }
        return x
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), grid = try inputs.required(1)
        let rank = x.rank - 2
        guard rank >= 1, grid.rank == x.rank, grid.shape[0] == x.shape[0], grid.shape[grid.rank - 1] == rank else {
            throw KernelError.invalidInput("grid \(grid.shape) does not fit X \(x.shape)")
        }
        let dims = Array(x.shape[2...]), outDims = Array(grid.shape[1..<(grid.rank - 1)])
        let values = try x.doubleValues(), coordinates = try grid.doubleValues()
        let (batch, channels) = (x.shape[0], x.shape[1])
        let planeSize = dims.reduce(1, *), outSize = outDims.reduce(1, *)
        let strides = Strides(dims).values
        let low = dims.map { _ in alignCorners ? 0 : -0.5 }, high = dims.map { alignCorners ? Double($0 - 1) : Double($0) - 0.5 }
        var result = [Double](repeating: 0, count: batch * channels * outSize)

        /// The input index to read for tap `i` along `axis`, or nil for a zero.
        func fetch(_ i: Int, _ axis: Int) -> Int? {
            let d = dims[axis]
            switch padding {
            case "zeros": return i >= 0 && i < d ? i : nil
            case "border": return min(max(i, 0), d - 1)
            default:
                let r = Int(reflect(Double(i), low[axis], high[axis]))
                return min(max(r, 0), d - 1)
            }
        }

        for n in 0..<batch {
            for o in 0..<outSize {
                var position = (0..<rank).map { axis -> Double in
                    let normalized = Double(Float(coordinates[(n * outSize + o) * rank + (rank - 1 - axis)]))
                    let length = Double(dims[axis])
                    let value = alignCorners ? (normalized + 1) / 2 * (length - 1) : ((normalized + 1) * length - 1) / 2
                    return Double(Float(value))
                }
                if mode == "nearest" { position = position.map { $0.rounded(.toNearestOrEven) } }
                for axis in 0..<rank where position[axis] < low[axis] || position[axis] > high[axis] {
                    if padding == "border" { position[axis] = min(max(position[axis], 0), Double(dims[axis] - 1)) }
                    else if padding == "reflection" { position[axis] = reflect(position[axis], low[axis], high[axis]) }
                }
                // Taps per axis: (index, weight).
                let taps: [[(Int, Double)]] = (0..<rank).map { axis in
                    let p = position[axis]
                    switch mode {
                    case "nearest": return [(Int(p), 1)]
                    case "cubic":
                        let base = Int(p.rounded(.down)), t = p - Double(base), a = -0.75
                        let w = [((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
                                 ((a + 2) * t - (a + 3)) * t * t + 1,
                                 ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
                                 ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a]
                        return (0..<4).map { (base - 1 + $0, w[$0]) }
                    default:
                        let base = Int(p.rounded(.down)), t = p - Double(base)
                        return [(base, 1 - t), (base + 1, t)]
                    }
                }
                let resolved = taps.enumerated().map { axis, list in list.map { (fetch($0.0, axis), $0.1) } }
                for c in 0..<channels {
                    let plane = (n * channels + c) * planeSize
                    var sum = 0.0
                    forEachIndex(resolved.map(\.count)) { _, choice in
                        var weight = 1.0, offset = 0
                        for axis in 0..<rank {
                            let (index, w) = resolved[axis][choice[axis]]
                            guard let index else { weight = 0; break }
                            weight *= w
                            offset += index * strides[axis]
                        }
                        if weight != 0 { sum += weight * values[plane + offset] }
                    }
                    result[(n * channels + c) * outSize + o] = sum
                }
            }
        }
        return [try Tensor(converting: result, to: x.dataType, shape: [batch, channels] + outDims)]
    }
}
