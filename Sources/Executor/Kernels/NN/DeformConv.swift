import ModelIR

/// 2-D deformable convolution: every kernel tap samples the input bilinearly (zeros outside) at
/// its regular position plus a learned offset, optionally scaled by a mask.
struct DeformConv_19: TensorKernel {
    static let opType = "DeformConv", sinceVersion = 19
    static let inputArity = 3...5
    let spatial: SpatialAttributes
    let group: Int, offsetGroup: Int

    init(_ node: KernelNode) throws {
        spatial = try SpatialAttributes(node, readsCeilMode: false)
        group = try node.int("group", default: 1)
        offsetGroup = try node.int("offset_group", default: 1)
        guard group >= 1, offsetGroup >= 1 else { throw KernelError.invalidAttribute("group and offset_group must be at least 1") }
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), w = try inputs.required(1), offsetTensor = try inputs.required(2)
        guard x.rank == 4, w.rank == 4, offsetTensor.rank == 4 else { throw KernelError.unsupported("DeformConv is implemented for 2-D inputs") }
        let (n, ic, ih, iw) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oc, icg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let (oh, ow) = (offsetTensor.shape[2], offsetTensor.shape[3])
        guard ic == icg * group, oc % group == 0, ic % offsetGroup == 0, offsetTensor.shape[1] == offsetGroup * kh * kw * 2 else {
            throw KernelError.invalidInput("X \(x.shape), W \(w.shape) and offset \(offsetTensor.shape) do not fit group \(group), offset_group \(offsetGroup)")
        }
        let strides = spatial.strides ?? [1, 1], dilations = spatial.dilations ?? [1, 1], pads = spatial.pads ?? [0, 0, 0, 0]
        let xs = try x.doubleValues(), ws = try w.doubleValues(), offsets = try offsetTensor.doubleValues()
        let bias = try inputs.optional(3)?.doubleValues()
        let mask = try inputs.optional(4)?.doubleValues()
        let ocg = oc / group, icPerOffset = ic / offsetGroup
        func sample(_ plane: Int, _ y: Double, _ xx: Double) -> Double {
            let y0 = Int(y.rounded(.down)), x0 = Int(xx.rounded(.down))
            let ly = y - Double(y0), lx = xx - Double(x0)
            var sum = 0.0
            for (dy, wy) in [(0, 1 - ly), (1, ly)] {
                for (dx, wx) in [(0, 1 - lx), (1, lx)] {
                    let (r, c) = (y0 + dy, x0 + dx)
                    if r >= 0 && r < ih && c >= 0 && c < iw { sum += wy * wx * xs[plane + r * iw + c] }
                }
            }
            return sum
        }
        var result = [Double](repeating: 0, count: n * oc * oh * ow)
        for b in 0..<n {
            for o in 0..<oc {
                let g = o / ocg
                for i in 0..<oh {
                    for j in 0..<ow {
                        var sum = bias?[o] ?? 0
                        for c in (g * icg)..<((g + 1) * icg) {
                            let og = c / icPerOffset
                            for p in 0..<kh {
                                for q in 0..<kw {
                                    let tap = (og * kh + p) * kw + q
                                    let dy = offsets[((b * offsetGroup * kh * kw + tap) * 2) * oh * ow + i * ow + j]
                                    let dx = offsets[((b * offsetGroup * kh * kw + tap) * 2 + 1) * oh * ow + i * ow + j]
                                    let y = Double(i * strides[0] - pads[0] + p * dilations[0]) + dy
                                    let xx = Double(j * strides[1] - pads[1] + q * dilations[1]) + dx
                                    let m = mask?[((b * offsetGroup * kh * kw) + tap) * oh * ow + i * ow + j] ?? 1
                                    sum += ws[((o * icg) + (c - g * icg)) * kh * kw + p * kw + q] * m * sample((b * ic + c) * ih * iw, y, xx)
                                }
                            }
                        }
                        result[((b * oc + o) * oh + i) * ow + j] = sum
                    }
                }
            }
        }
        return [try Tensor(converting: result, to: x.dataType, shape: [n, oc, oh, ow])]
    }
}
