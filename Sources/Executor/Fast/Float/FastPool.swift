import ModelIR

/// Float 2-D MaxPool and AveragePool (no indices output). Each plane is copied into a padded,
/// stride-phase-split scratch (`PhaseSplitPlane`, padding −∞ for max and 0 for average) and every
/// tap is one contiguous vector max or sum over the output's flat positions; averages are divided
/// by the taps inside the input (or inside the padded input with `count_include_pad`). A max-pool
/// plane holding a NaN takes the exact per-window loop (`FastPoolWindows`) so the NaN propagates.
/// Planes are split over the executor's threads. Other types, ranks, empty inputs and Lp pooling
/// run `Pooling.pool`.
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
        guard x.dataType == .float, x.rank == 4, x.elementCount > 0, let kernel = pooling.spatial.kernelShape, kernel.count == 2 else {
            return [try pooling.pool(x, wantIndices: false).0]
        }
        let g = try pooling.spatial.geometry(input: Array(x.shape[2...]), kernel: kernel)
        let planes = x.shape[0] * x.shape[1]
        let inputSize = g.input[0] * g.input[1], outH = g.output[0], outW = g.output[1], outputSize = outH * outW
        let windows = FastPoolWindows(g)
        let layout = PhaseSplitPlane(g)
        let taps = kernel[0] * kernel[1]
        let includePad = pooling.countIncludePad
        let rowCounts = (0..<outH).map { Float(includePad ? windows.rowPadded[$0] : windows.rowInside($0)) }
        let vector = Pool2D.Vector.scalarCount
        // Per output column its tap count, then ones up to a whole vector.
        let columnCounts = (0..<outW).map { Float(includePad ? windows.columnPadded[$0] : windows.columnInside($0)) }
            + [Float](repeating: 1, count: vector)
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: Array(x.shape[..<2]) + g.output) { out in
                guard let xBase = xs.baseAddress, let oBase = out.baseAddress, planes > 0, outputSize > 0 else { return }
                ParallelFor.run(planes, grain: max(1, 32768 / max(layout.positions * taps, 1))) { chunk in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: layout.scratchSize)
                    defer { scratch.deallocate() }
                    layout.pad(scratch, with: isMax ? -.infinity : 0)
                    layout.tapOffsets.withUnsafeBufferPointer { offsets in
                        for plane in chunk {
                            let source = xBase + plane * inputSize, target = oBase + plane * outputSize
                            if isMax && Pool2D.containsNaN(source, count: inputSize) {
                                windows.exactMax(source, into: target)
                                continue
                            }
                            layout.copy(from: source, into: scratch)
                            let flat = scratch + layout.scratchSize - layout.positions
                            if isMax {
                                Pool2D.reduce(Pool2D.Maximum.self, scratch, offsets: offsets, count: layout.positions, into: flat)
                                for oy in 0..<outH { FloatRows.copy(flat + oy * layout.width, to: target + oy * outW, count: outW) }
                            } else {
                                Pool2D.reduce(Pool2D.Sum.self, scratch, offsets: offsets, count: layout.positions, into: flat)
                                columnCounts.withUnsafeBufferPointer { counts in
                                    guard let counts = counts.baseAddress else { return }
                                    Pool2D.divide(flat, width: layout.width, rows: outH, columns: outW, rowCounts: rowCounts,
                                                  columnCounts: counts, into: target)
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
