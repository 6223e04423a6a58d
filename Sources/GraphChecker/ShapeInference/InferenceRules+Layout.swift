import ModelIR

/// Split, Pad, TopK, transposed convolution and the depth/space rearrangements.
extension InferenceRules {
    static func addLayoutRules(_ table: inout [String: Rule]) {
        table["Split"] = split
        table["Pad"] = pad
        table["TopK"] = topK
        table["ConvTranspose"] = convTranspose
        table["DepthToSpace"] = { c in try depthSpace(c, toSpace: true) }
        table["SpaceToDepth"] = { c in try depthSpace(c, toSpace: false) }
        for op in ["CumSum", "CumProd", "Trilu"] { table[op] = sameShape }
    }

    static func split(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        let axis = try normalizedAxis(c.int("axis") ?? 0, rank: input.rank)
        let outputs = c.node.outputs.count
        if c.schema.sinceVersion >= 18 && !c.isPresent(1) && !c.has("num_outputs") {
            throw shapeError("Split-18 needs the 'split' input or the 'num_outputs' attribute")
        }
        let sizes: [Int]?
        if c.schema.sinceVersion >= 13 {
            sizes = c.isPresent(1) ? c.constantInts(1) : nil
            if c.isPresent(1) && sizes == nil { return nil }
        } else {
            sizes = c.ints("split")
        }
        var lengths: [Dimension]
        let total = input.dims[axis].value
        if let sizes {
            guard sizes.count == outputs else { return nil }
            if let total, sizes.reduce(0, +) != total {
                throw shapeError("the split sizes \(sizes) add up to \(sizes.reduce(0, +)), not to dimension \(axis) of \(input)")
            }
            lengths = sizes.map { .fixed($0) }
        } else if let total, outputs > 0, total % outputs == 0 {
            lengths = Array(repeating: .fixed(total / outputs), count: outputs)
        } else if let total, outputs > 0, c.schema.sinceVersion >= 18 {
            let chunk = (total + outputs - 1) / outputs
            lengths = (0..<outputs).map { .fixed($0 < outputs - 1 ? chunk : max(0, total - chunk * (outputs - 1))) }
        } else if total != nil, outputs > 0 {
            throw shapeError("dimension \(axis) of \(input) does not split evenly into \(outputs) outputs")
        } else {
            lengths = Array(repeating: .unknown, count: outputs)
        }
        return lengths.map { length in
            var dims = input.dims
            dims[axis] = length
            return InferredOutput(shape: TensorShape(dims))
        }
    }

    /// ONNX's Pad inference: constant pads over all axes, or over the constant `axes` (opset 18 on);
    /// `axes` that are given but not constant leave the shape unknown.
    static func pad(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        var axes = Array(0..<input.rank)
        let pads: [Int]?
        if c.schema.sinceVersion >= 11 {
            if c.isPresent(3), c.shape(3) != nil {
                guard let listed = c.constantInts(3) else { return [InferredOutput(shape: nil)] }
                axes = try listed.map { axis throws(InferenceFailure) in try normalizedAxis(axis, rank: input.rank, what: "pad axis") }
            }
            pads = c.constantInts(1)
        } else {
            pads = c.ints("pads") ?? c.ints("paddings")
        }
        guard let pads, pads.count == 2 * axes.count else { return [.shape(Array(repeating: .unknown, count: input.rank))] }
        var dims = input.dims.map { $0.value.map(Dimension.fixed) ?? .unknown }
        for (index, axis) in axes.enumerated() {
            let total = pads[index] + pads[index + axes.count]
            if let size = input.dims[axis].value {
                dims[axis] = .fixed(size + total)
            } else if total == 0 {
                dims[axis] = input.dims[axis]
            }
        }
        return [.shape(dims)]
    }

    static func topK(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        let axis = try normalizedAxis(c.int("axis") ?? -1, rank: input.rank)
        let k: Int? = c.schema.sinceVersion >= 10 ? c.constantInts(1)?.first : c.int("k")
        var dims = input.dims
        dims[axis] = k.map { .fixed($0) } ?? .unknown
        return [InferredOutput(shape: TensorShape(dims)), InferredOutput(elementType: .int64, shape: TensorShape(dims))]
    }

    /// ONNX's ConvTranspose inference for explicit padding: `stride·(in−1) + output_padding + (k−1)·d + 1 − pads`.
    static func convTranspose(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0), let weights = c.shape(1), input.rank >= 3, weights.rank == input.rank else { return nil }
        let spatial = input.rank - 2
        let group = c.int("group") ?? 1
        let channels: Dimension = weights.dims[1].value.map { .fixed($0 * group) } ?? .unknown
        if let outputShape = c.ints("output_shape") {
            guard outputShape.count == spatial else { return nil }
            return [.shape([input.dims[0], channels] + outputShape.map { .fixed($0) })]
        }
        let autoPad = c.string("auto_pad") ?? "NOTSET"
        guard autoPad == "NOTSET" || autoPad == "VALID" else { return [.shape(Array(repeating: .unknown, count: input.rank))] }
        let kernel = c.ints("kernel_shape") ?? weights.dims.dropFirst(2).map { $0.value ?? -1 }
        let strides = c.ints("strides") ?? Array(repeating: 1, count: spatial)
        let dilations = c.ints("dilations") ?? Array(repeating: 1, count: spatial)
        let outputPadding = c.ints("output_padding") ?? Array(repeating: 0, count: spatial)
        let pads = autoPad == "VALID" ? Array(repeating: 0, count: 2 * spatial) : (c.ints("pads") ?? Array(repeating: 0, count: 2 * spatial))
        guard kernel.count == spatial, strides.count == spatial, dilations.count == spatial,
              outputPadding.count == spatial, pads.count == 2 * spatial else { return nil }
        var dims: [Dimension] = [input.dims[0], channels]
        for axis in 0..<spatial {
            guard let size = input.dims[axis + 2].value, kernel[axis] >= 0 else { dims.append(.unknown); continue }
            let length = strides[axis] * (size - 1) + outputPadding[axis] + (kernel[axis] - 1) * dilations[axis] + 1
                - pads[axis] - pads[axis + spatial]
            dims.append(length >= 0 ? .fixed(length) : .unknown)
        }
        return [.shape(dims)]
    }

    static func depthSpace(_ c: InferenceContext, toSpace: Bool) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0), input.rank == 4, let block = c.int("blocksize"), block > 0 else { return nil }
        let d = input.dims
        func scaled(_ dimension: Dimension, by factor: Int, dividing: Bool) -> Dimension {
            guard let size = dimension.value else { return .unknown }
            if dividing { return size % factor == 0 ? .fixed(size / factor) : .unknown }
            return .fixed(size * factor)
        }
        if toSpace {
            return [.shape([d[0], scaled(d[1], by: block * block, dividing: true), scaled(d[2], by: block, dividing: false), scaled(d[3], by: block, dividing: false)])]
        }
        return [.shape([d[0], scaled(d[1], by: block * block, dividing: false), scaled(d[2], by: block, dividing: true), scaled(d[3], by: block, dividing: true)])]
    }
}
