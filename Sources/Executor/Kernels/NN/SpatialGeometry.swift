import ModelIR

/// The spatial attributes convolutions and pools share: `auto_pad`, `kernel_shape`, `strides`,
/// `dilations`, `pads` and `ceil_mode`.
struct SpatialAttributes: Sendable {
    let autoPad: String
    let kernelShape: [Int]?
    let strides: [Int]?
    let dilations: [Int]?
    let pads: [Int]?
    let ceilMode: Bool

    init(_ node: KernelNode, readsDilations: Bool = true, readsCeilMode: Bool = true) throws {
        autoPad = try node.choice("auto_pad", default: "NOTSET", in: ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"])
        kernelShape = try node.ints("kernel_shape")
        strides = try node.ints("strides")
        dilations = readsDilations ? try node.ints("dilations") : nil
        pads = try node.ints("pads")
        ceilMode = readsCeilMode ? try node.int("ceil_mode", default: 0) != 0 : false
    }

    /// The geometry for an input whose spatial dimensions are `input` and a kernel of `kernel`.
    func geometry(input: [Int], kernel: [Int]) throws -> SpatialGeometry {
        let rank = input.count
        let strides = self.strides ?? [Int](repeating: 1, count: rank)
        let dilations = self.dilations ?? [Int](repeating: 1, count: rank)
        let pads = self.pads ?? [Int](repeating: 0, count: 2 * rank)
        guard kernel.count == rank, strides.count == rank, dilations.count == rank, pads.count == 2 * rank else {
            throw KernelError.invalidAttribute("kernel_shape, strides, dilations or pads do not match \(rank) spatial dimensions")
        }
        guard strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }), kernel.allSatisfy({ $0 > 0 }), pads.allSatisfy({ $0 >= 0 }) else {
            throw KernelError.invalidAttribute("strides, dilations and kernel sizes must be positive, pads non-negative")
        }
        var begin = Array(pads[..<rank]), end = Array(pads[rank...])
        var output = [Int](repeating: 0, count: rank)
        for axis in 0..<rank {
            let window = (kernel[axis] - 1) * dilations[axis] + 1
            switch autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                output[axis] = (input[axis] + strides[axis] - 1) / strides[axis]
                let total = max((output[axis] - 1) * strides[axis] + window - input[axis], 0)
                begin[axis] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                end[axis] = total - begin[axis]
            case "VALID":
                begin[axis] = 0
                end[axis] = 0
                output[axis] = max((input[axis] - window) / strides[axis] + 1, 0)
                if input[axis] < window { output[axis] = 0 }
            default:
                let span = input[axis] + begin[axis] + end[axis] - window
                if ceilMode {
                    // ceil(span / stride) + 1: a window longer than the padded input still yields one output.
                    let steps = span >= 0 ? (span + strides[axis] - 1) / strides[axis] : -(-span / strides[axis])
                    output[axis] = max(steps + 1, 0)
                    if output[axis] > 0, (output[axis] - 1) * strides[axis] >= input[axis] + begin[axis] { output[axis] -= 1 }
                } else if span < 0 {
                    output[axis] = 0
                } else {
                    output[axis] = span / strides[axis] + 1
                }
            }
        }
        return SpatialGeometry(input: input, kernel: kernel, strides: strides, dilations: dilations,
                               padBegin: begin, padEnd: end, output: output)
    }
}

/// Where each window of a convolution or pool lies in its input.
struct SpatialGeometry {
    let input: [Int]
    let kernel: [Int]
    let strides: [Int]
    let dilations: [Int]
    let padBegin: [Int]
    let padEnd: [Int]
    let output: [Int]

    var rank: Int { input.count }

    /// For axis `axis`, the input coordinate of kernel tap `k` at output position `o` (may be outside the input).
    func coordinate(axis: Int, kernel k: Int, output o: Int) -> Int {
        o * strides[axis] - padBegin[axis] + k * dilations[axis]
    }
}

/// Adds `bias[m]` to each of the `size` values of feature map `m` in `batch` × `bias.count` maps.
func addChannelBias<T: RealScalar>(_ bias: [T], to values: UnsafeMutableBufferPointer<T>, batch: Int, size: Int) {
    let maps = bias.count
    for n in 0..<batch {
        for m in 0..<maps {
            let start = (n * maps + m) * size
            for i in 0..<size { values[start + i] += bias[m] }
        }
    }
}
