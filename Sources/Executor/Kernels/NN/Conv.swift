import ModelIR

/// N-d grouped convolution as im2col + `gemm` (`sgemm` for float, float16 and bfloat16, `dgemm`
/// for double); 1×1 convolutions with unit strides and no padding skip im2col.
struct Conv_1: TensorKernel {
    static let opType = "Conv", sinceVersion = 1
    static let inputArity = 2...3
    let spatial: SpatialAttributes
    let group: Int

    init(_ node: KernelNode) throws {
        spatial = try SpatialAttributes(node, readsCeilMode: false)
        group = try node.int("group", default: 1)
        guard group >= 1 else { throw KernelError.invalidAttribute("group must be at least 1") }
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try computingHalvesInFloat(inputs) { inputs in
            let x = try inputs.required(0), w = try inputs.required(1), b = inputs.optional(2)
            guard x.rank >= 3, w.rank == x.rank else { throw KernelError.invalidInput("X and W must have the same rank, 3 or more") }
            guard x.dataType == w.dataType, b.map({ $0.dataType == x.dataType }) ?? true else {
                throw KernelError.invalidInput("X, W and B must have the same type")
            }
            let channels = x.shape[1], maps = w.shape[0]
            guard w.shape[1] * group == channels, maps % group == 0 else {
                throw KernelError.invalidInput("W \(w.shape) does not fit \(channels) input channels in \(group) groups")
            }
            if let b, b.elementCount != maps { throw KernelError.invalidInput("B has \(b.elementCount) elements for \(maps) feature maps") }
            let kernel = Array(w.shape[2...])
            if let declared = spatial.kernelShape, declared != kernel {
                throw KernelError.invalidInput("kernel_shape \(declared) does not match W \(w.shape)")
            }
            let geometry = try spatial.geometry(input: Array(x.shape[2...]), kernel: kernel)
            let shape = [x.shape[0], maps] + geometry.output
            return [try dispatchReal(x.dataType, Visitor(x: x, w: w, b: b, group: group, geometry: geometry, shape: shape))]
        }
    }

    struct Visitor: RealVisitor {
        let x: Tensor, w: Tensor, b: Tensor?
        let group: Int
        let geometry: SpatialGeometry
        let shape: [Int]

        func visit<T: RealScalar>(_ type: T.Type) throws -> Tensor {
            let batch = x.shape[0], channels = x.shape[1], maps = w.shape[0]
            let groupChannels = channels / group, groupMaps = maps / group
            let taps = geometry.kernel.reduce(1, *)
            let positions = geometry.output.reduce(1, *)
            let inputSize = geometry.input.reduce(1, *)
            let rows = groupChannels * taps
            let pointwise = taps == 1 && geometry.strides.allSatisfy { $0 == 1 }
                && geometry.padBegin.allSatisfy { $0 == 0 } && geometry.output == geometry.input
            let bias = try b.map { try $0.elements(T.self) }
            return try x.withElements(T.self) { xs in
                try w.withElements(T.self) { ws in
                    try Tensor.filled(T.self, shape: shape) { out in
                        guard positions > 0, let xBase = xs.baseAddress, let wBase = ws.baseAddress, let oBase = out.baseAddress else { return }
                        let columns = UnsafeMutablePointer<T>.allocate(capacity: pointwise ? 1 : max(rows * positions, 1))
                        defer { columns.deallocate() }
                        for n in 0..<batch {
                            for g in 0..<group {
                                let source = xBase + (n * channels + g * groupChannels) * inputSize
                                if !pointwise { im2col(source, groupChannels, columns) }
                                try BLAS.gemm(transposeA: false, transposeB: false, m: groupMaps, n: positions, k: rows, alpha: T.one,
                                              a: wBase + g * groupMaps * rows, lda: max(rows, 1),
                                              b: pointwise ? source : UnsafePointer(columns), ldb: positions,
                                              beta: T.zero, c: oBase + (n * maps + g * groupMaps) * positions, ldc: positions)
                            }
                        }
                        if let bias { addChannelBias(bias, to: out, batch: batch, size: positions) }
                    }
                }
            }
        }

        /// Lays the windows of `channels` channels at `source` out as columns: row `c·taps + tap`, column = output position.
        private func im2col<T: RealScalar>(_ source: UnsafePointer<T>, _ channels: Int, _ columns: UnsafeMutablePointer<T>) {
            let rank = geometry.rank
            let input = geometry.input, output = geometry.output, kernel = geometry.kernel
            let inputStrides = Strides(input).values
            let taps = kernel.reduce(1, *), positions = output.reduce(1, *), inputSize = input.reduce(1, *)
            // coordinates[axis][tap * output[axis] + o]: input coordinate or −1 outside the input.
            let coordinates: [[Int]] = (0..<rank).map { axis in
                var table = [Int](repeating: -1, count: kernel[axis] * output[axis])
                for k in 0..<kernel[axis] {
                    for o in 0..<output[axis] {
                        let c = geometry.coordinate(axis: axis, kernel: k, output: o)
                        table[k * output[axis] + o] = c >= 0 && c < input[axis] ? c : -1
                    }
                }
                return table
            }
            let last = rank - 1, innerCount = output[last]
            var tap = [Int](repeating: 0, count: rank)
            for tapIndex in 0..<taps {
                let lastTable = tap[last] * innerCount
                for c in 0..<channels {
                    let channel = source + c * inputSize
                    var row = columns + (c * taps + tapIndex) * positions
                    var position = [Int](repeating: 0, count: max(rank - 1, 0))
                    let outerRuns = positions / max(innerCount, 1)
                    for _ in 0..<outerRuns {
                        var offset = 0
                        var inside = true
                        for axis in 0..<last {
                            let coordinate = coordinates[axis][tap[axis] * output[axis] + position[axis]]
                            if coordinate < 0 { inside = false; break }
                            offset += coordinate * inputStrides[axis]
                        }
                        if inside {
                            let base = channel + offset
                            coordinates[last].withUnsafeBufferPointer { table in
                                for o in 0..<innerCount {
                                    let coordinate = table[lastTable + o]
                                    row[o] = coordinate < 0 ? T.zero : base[coordinate]
                                }
                            }
                        } else {
                            row.update(repeating: T.zero, count: innerCount)
                        }
                        row += innerCount
                        var axis = last - 1
                        while axis >= 0 {
                            position[axis] += 1
                            if position[axis] < output[axis] { break }
                            position[axis] = 0
                            axis -= 1
                        }
                    }
                }
                var axis = last
                while axis >= 0 {
                    tap[axis] += 1
                    if tap[axis] < kernel[axis] { break }
                    tap[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}
