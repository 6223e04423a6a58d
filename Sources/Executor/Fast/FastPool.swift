import ModelIR

/// Float 2-D MaxPool and AveragePool (no indices output): windows clipped to the input once per
/// row and column instead of per tap. Other types, ranks and Lp pooling run `Pooling.pool`.
struct FastPool: TensorKernel {
    static let opType = "Pool", sinceVersion = 1
    let pooling: Pooling

    init(pooling: Pooling) { self.pooling = pooling }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastPool is made from a prepared pooling kernel") }

    /// The fast kernel standing for `kernel`, when it is a max or average pool whose indices nobody reads.
    static func replacing(_ kernel: any Kernel, producesIndices: Bool) -> FastPool? {
        guard !producesIndices else { return nil }
        switch kernel {
        case let k as MaxPool_1: return FastPool(pooling: k.pooling)
        case let k as MaxPool_8: return FastPool(pooling: k.pooling)
        case let k as MaxPool_10: return FastPool(pooling: k.pooling)
        case let k as AveragePool_1: return FastPool(pooling: k.pooling)
        case let k as AveragePool_7: return FastPool(pooling: k.pooling)
        case let k as AveragePool_19: return FastPool(pooling: k.pooling)
        default: return nil
        }
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let isMax: Bool
        switch pooling.kind {
        case .max: isMax = true
        case .average: isMax = false
        case .lp: return [try pooling.pool(x, wantIndices: false).0]
        }
        guard x.dataType == .float, x.rank == 4, let kernel = pooling.spatial.kernelShape, kernel.count == 2 else {
            return [try pooling.pool(x, wantIndices: false).0]
        }
        let g = try pooling.spatial.geometry(input: Array(x.shape[2...]), kernel: kernel)
        let planes = x.shape[0] * x.shape[1]
        let inH = g.input[0], inW = g.input[1], outH = g.output[0], outW = g.output[1]
        // Per axis and output position: the first and last tap inside the input, and the taps inside the padded input.
        func ranges(_ axis: Int) -> (first: [Int], last: [Int], padded: [Int]) {
            let count = g.output[axis], size = g.input[axis]
            var first = [Int](repeating: 0, count: count), last = first, padded = first
            for o in 0..<count {
                var f = Int.max, l = -1, p = 0
                for k in 0..<g.kernel[axis] {
                    let c = g.coordinate(axis: axis, kernel: k, output: o)
                    if c >= 0 && c < size { f = min(f, k); l = k }
                    if c >= -g.padBegin[axis] && c < size + g.padEnd[axis] { p += 1 }
                }
                first[o] = f == Int.max ? 0 : f
                last[o] = l
                padded[o] = p
            }
            return (first, last, padded)
        }
        let rows = ranges(0), columns = ranges(1)
        let dH = g.dilations[0], dW = g.dilations[1], sH = g.strides[0], sW = g.strides[1]
        let pH = g.padBegin[0], pW = g.padBegin[1]
        let includePad = pooling.countIncludePad
        // One table: first, last and padded taps per output row, then per output column.
        let table = rows.first + rows.last + rows.padded + columns.first + columns.last + columns.padded
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: Array(x.shape[..<2]) + g.output) { out in
                guard let xBase = xs.baseAddress, let oBase = out.baseAddress else { return }
                table.withUnsafeBufferPointer { t in
                    guard let t = t.baseAddress else { return }
                    let rowFirst = t, rowLast = t + outH, rowPadded = t + 2 * outH
                    let columnFirst = t + 3 * outH, columnLast = columnFirst + outW, columnPadded = columnFirst + 2 * outW
                    ParallelFor.run(planes, grain: max(1, 4096 / max(outH * outW, 1))) { chunk in
                        for plane in chunk {
                            let source = xBase + plane * inH * inW
                            let target = oBase + plane * outH * outW
                            for oy in 0..<outH {
                                let ky0 = rowFirst[oy], ky1 = rowLast[oy]
                                let top = source + (oy * sH - pH) * inW - pW
                                let line = target + oy * outW
                                if isMax {
                                    for ox in 0..<outW {
                                        let kx0 = columnFirst[ox], kx1 = columnLast[ox]
                                        var best = -Float.infinity
                                        var nan = false
                                        var ky = ky0
                                        while ky <= ky1 {
                                            let window = top + ky * dH * inW + ox * sW
                                            var kx = kx0
                                            while kx <= kx1 {
                                                let v = window[kx * dW]
                                                best = v > best ? v : best
                                                nan = nan || v.isNaN
                                                kx += 1
                                            }
                                            ky += 1
                                        }
                                        line[ox] = nan ? .nan : best
                                    }
                                } else {
                                    for ox in 0..<outW {
                                        let kx0 = columnFirst[ox], kx1 = columnLast[ox]
                                        var sum: Float = 0
                                        var ky = ky0
                                        while ky <= ky1 {
                                            let window = top + ky * dH * inW + ox * sW
                                            var kx = kx0
                                            while kx <= kx1 {
                                                sum += window[kx * dW]
                                                kx += 1
                                            }
                                            ky += 1
                                        }
                                        let inside = max(ky1 - ky0 + 1, 0) * max(kx1 - kx0 + 1, 0)
                                        let divisor = includePad ? rowPadded[oy] * columnPadded[ox] : inside
                                        line[ox] = divisor > 0 ? sum / Float(divisor) : 0
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return [y]
    }
}
