import ModelIR

/// N-d grouped transposed convolution: `gemm` of Wᵀ with the input, then col2im scatter-add.
struct ConvTranspose_1: TensorKernel {
    static let opType = "ConvTranspose", sinceVersion = 1
    static let inputArity = 2...3
    let spatial: SpatialAttributes
    let group: Int
    let outputPadding: [Int]?
    let outputShape: [Int]?

    init(_ node: KernelNode) throws {
        spatial = try SpatialAttributes(node, readsCeilMode: false)
        group = try node.int("group", default: 1)
        outputPadding = try node.ints("output_padding")
        outputShape = try node.ints("output_shape")
        guard group >= 1 else { throw KernelError.invalidAttribute("group must be at least 1") }
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try computingHalvesInFloat(inputs) { inputs in
            let x = try inputs.required(0), w = try inputs.required(1), b = inputs.optional(2)
            guard x.rank >= 3, w.rank == x.rank, w.shape[0] == x.shape[1], x.shape[1] % group == 0 else {
                throw KernelError.invalidInput("W \(w.shape) does not fit X \(x.shape) in \(group) groups")
            }
            let rank = x.rank - 2
            let input = Array(x.shape[2...]), kernel = spatial.kernelShape ?? Array(w.shape[2...])
            let strides = spatial.strides ?? [Int](repeating: 1, count: rank)
            let dilations = spatial.dilations ?? [Int](repeating: 1, count: rank)
            let extra = outputPadding ?? [Int](repeating: 0, count: rank)
            var pads = spatial.pads ?? [Int](repeating: 0, count: 2 * rank)
            guard kernel.count == rank, strides.count == rank, dilations.count == rank, extra.count == rank, pads.count == 2 * rank else {
                throw KernelError.invalidAttribute("spatial attributes do not match \(rank) spatial dimensions")
            }
            var output = [Int](repeating: 0, count: rank)
            for axis in 0..<rank {
                let window = (kernel[axis] - 1) * dilations[axis] + 1
                let full = strides[axis] * (input[axis] - 1) + extra[axis] + window
                let requested = outputShape.flatMap { $0.count >= rank ? $0[$0.count - rank + axis] : nil }
                if spatial.autoPad == "SAME_UPPER" || spatial.autoPad == "SAME_LOWER" {
                    let target = requested ?? input[axis] * strides[axis]
                    let total = full - target
                    let half = Int((Double(total) / 2).rounded(.down))
                    pads[axis] = spatial.autoPad == "SAME_UPPER" ? half : total - half
                    pads[axis + rank] = total - pads[axis]
                }
                if let requested, spatial.autoPad != "SAME_UPPER" && spatial.autoPad != "SAME_LOWER" {
                    output[axis] = requested
                    continue
                }
                output[axis] = full - pads[axis] - pads[axis + rank]
            }
            let geometry = SpatialGeometry(input: output, kernel: kernel, strides: strides, dilations: dilations,
                                           padBegin: Array(pads[..<rank]), padEnd: Array(pads[rank...]), output: input)
            let maps = w.shape[1] * group
            if let b, b.elementCount != maps { throw KernelError.invalidInput("B has \(b.elementCount) elements for \(maps) maps") }
            return [try dispatchReal(x.dataType, Visitor(x: x, w: w, b: b, group: group, geometry: geometry,
                                                         shape: [x.shape[0], maps] + output))]
        }
    }

    /// `geometry` is that of the forward convolution whose gradient this is: its input is our output.
    struct Visitor: RealVisitor {
        let x: Tensor, w: Tensor, b: Tensor?
        let group: Int
        let geometry: SpatialGeometry
        let shape: [Int]

        func visit<T: RealScalar>(_ type: T.Type) throws -> Tensor {
            let batch = x.shape[0], channels = x.shape[1], maps = shape[1]
            let groupChannels = channels / group, groupMaps = maps / group
            let taps = geometry.kernel.reduce(1, *)
            let positions = geometry.output.reduce(1, *)
            let outputSize = geometry.input.reduce(1, *)
            let rows = groupMaps * taps
            let bias = try b.map { try $0.elements(T.self) }
            let rank = geometry.rank
            let outStrides = Strides(geometry.input).values
            return try x.withElements(T.self) { xs in
                try w.withElements(T.self) { ws in
                    try Tensor.filled(T.self, shape: shape) { out in
                        guard let xBase = xs.baseAddress, let wBase = ws.baseAddress, let oBase = out.baseAddress, positions > 0 else { return }
                        let columns = UnsafeMutablePointer<T>.allocate(capacity: max(rows * positions, 1))
                        defer { columns.deallocate() }
                        for n in 0..<batch {
                            for g in 0..<group {
                                // columns[rows × positions] = W_gᵀ · X_g, W_g being groupChannels × rows.
                                try BLAS.gemm(transposeA: true, transposeB: false, m: rows, n: positions, k: groupChannels, alpha: T.one,
                                              a: wBase + g * groupChannels * rows, lda: max(rows, 1),
                                              b: xBase + (n * channels + g * groupChannels) * positions, ldb: positions,
                                              beta: T.zero, c: columns, ldc: positions)
                                let target = oBase + (n * maps + g * groupMaps) * outputSize
                                for row in 0..<rows {
                                    let m = row / taps
                                    var rem = row % taps
                                    var tap = [Int](repeating: 0, count: rank)
                                    for axis in (0..<rank).reversed() { tap[axis] = rem % geometry.kernel[axis]; rem /= geometry.kernel[axis] }
                                    forEachIndex(geometry.output) { p, position in
                                        var offset = 0
                                        for axis in 0..<rank {
                                            let c = geometry.coordinate(axis: axis, kernel: tap[axis], output: position[axis])
                                            if c < 0 || c >= geometry.input[axis] { return }
                                            offset += c * outStrides[axis]
                                        }
                                        target[m * outputSize + offset] += columns[row * positions + p]
                                    }
                                }
                            }
                        }
                        if let bias { addChannelBias(bias, to: out, batch: batch, size: outputSize) }
                    }
                }
            }
        }
    }
}
