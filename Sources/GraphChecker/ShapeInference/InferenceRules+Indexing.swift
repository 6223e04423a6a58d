import ModelIR

/// Detection, integer and quantized products, sampling, the data-dependent indexing operators, DFT,
/// Col2Im and the text and image decoders, as ONNX infers them: where a size depends on the data,
/// the rank is still known.
extension InferenceRules {
    static func addIndexingAndSignalRules(_ table: inout [String: Rule]) {
        table["NonMaxSuppression"] = { _ in [InferredOutput(elementType: .int64, dimensions: [.unknown, .fixed(3)])] }
        table["RoiAlign"] = roiAlign
        table["MaxRoiPool"] = maxRoiPool
        table["DynamicQuantizeLinear"] = { c in
            [InferredOutput(elementType: .uint8, shape: c.shape(0)), InferredOutput(elementType: .float, dimensions: []),
             InferredOutput(elementType: .uint8, dimensions: [])]
        }
        table["Det"] = determinant
        table["RegexFullMatch"] = { c in [InferredOutput(elementType: .bool, shape: c.shape(0))] }
        table["MatMulInteger"] = { c in try matMul(c.selecting(0, 1)).map { $0.map { InferredOutput(elementType: .int32, shape: $0.shape) } } }
        table["QLinearMatMul"] = { c in try matMul(c.selecting(0, 3)) }
        table["ConvInteger"] = { c in
            try convolutionOrPool(c.selecting(0, 1), isConvolution: true).map { $0.map { InferredOutput(elementType: .int32, shape: $0.shape) } }
        }
        table["QLinearConv"] = { c in try convolutionOrPool(c.selecting(0, 3), isConvolution: true) }
        table["GridSample"] = gridSample
        table["Compress"] = compress
        table["OneHot"] = oneHot
        table["ReverseSequence"] = reverseSequence
        table["Unique"] = unique
        table["GatherND"] = gatherND
        table["DeformConv"] = { c in try convolutionOrPool(c, isConvolution: true) }
        table["ImageDecoder"] = imageDecoder
        table["TfIdfVectorizer"] = tfIdfVectorizer
        table["StringSplit"] = stringSplit
        table["Col2Im"] = col2Im
        table["DFT"] = dft
    }

    /// [?, ?, ?] uint8 from a 1-D byte stream.
    static func imageDecoder(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        if let input = c.shape(0), input.rank != 1 { throw shapeError("the encoded stream must have 1 dimension, got \(input)") }
        return [InferredOutput(elementType: .uint8, dimensions: [.unknown, .unknown, .unknown])]
    }

    /// [max(ngram_indexes) + 1] or [B, max + 1] float.
    static func tfIdfVectorizer(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return [InferredOutput(elementType: .float, shape: nil)] }
        guard let indexes = c.ints("ngram_indexes"), !indexes.isEmpty, indexes.allSatisfy({ $0 >= 0 }) else {
            throw shapeError("ngram_indexes must be non-empty with no negative values")
        }
        let width = Dimension.fixed(indexes.max()! + 1)
        switch input.rank {
        case 1: return [InferredOutput(elementType: .float, dimensions: [width])]
        case 2: return [InferredOutput(elementType: .float, dimensions: [input.dims[0], width])]
        default: throw shapeError("the input must have 1 or 2 dimensions, got \(input)")
        }
    }

    /// The substrings gain one dimension; the counts keep the input's shape.
    static func stringSplit(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0), c.elementType(0) == .string else { return nil }
        return [InferredOutput(elementType: .string, shape: TensorShape(input.dims + [.unknown])),
                InferredOutput(elementType: .int64, shape: input)]
    }

    /// [N, C / ∏ block_shape, image_shape…]; the image rank comes from the 1-D shape inputs or the
    /// attributes.
    static func col2Im(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0), let imageShape = c.shape(1), let blockShape = c.shape(2) else { return nil }
        guard imageShape.rank == 1, blockShape.rank == 1 else { throw shapeError("image_shape and block_shape must have 1 dimension") }
        var count = imageShape.dims[0].value ?? blockShape.dims[0].value
        let image = c.constantInts(1)
        if let image { count = image.count }
        if count == nil, let pads = c.ints("pads") { count = pads.count / 2 }
        if count == nil { count = c.ints("dilations")?.count ?? c.ints("strides")?.count }
        guard input.rank == 3 else { throw shapeError("the input must have 3 dimensions, got \(input)") }
        var blockSize = 0
        if let block = c.constantInts(2) {
            guard block.allSatisfy({ $0 > 0 }) else { throw shapeError("block_shape must be positive") }
            blockSize = block.reduce(1, *)
        }
        guard let count, count >= 0, count <= 64 else { return nil }
        let channels: Dimension = blockSize > 0 ? input.dims[1].value.map { .fixed($0 / blockSize) } ?? .unknown : .unknown
        let spatial: [Dimension] = (0..<count).map { index in image.map { .fixed($0[index]) } ?? .unknown }
        return [.shape([input.dims[0].value.map(Dimension.fixed) ?? .unknown, channels] + spatial)]
    }

    /// DFT from opset 20: the signal axis (input 2, default -2) takes dft_length (halved plus one
    /// when one-sided), and the last dimension is 2 (complex), or 1 for an inverse one-sided DFT.
    static func dft(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard c.schema.sinceVersion >= 20, let input = c.shape(0) else { return nil }
        let oneSided = (c.int("onesided") ?? 0) != 0, inverse = (c.int("inverse") ?? 0) != 0
        let rank = input.rank
        guard rank >= 2 else { throw shapeError("the input must have at least 2 dimensions, the last one complex") }
        if oneSided, let last = input.dims[rank - 1].value, last != (inverse ? 2 : 1) {
            throw shapeError(inverse ? "an inverse one-sided DFT needs a complex input (last dimension 2)" : "a one-sided DFT needs a real input (last dimension 1)")
        }
        let complex: Dimension = .fixed(oneSided && inverse ? 1 : 2)
        var dims = input.dims
        if c.isPresent(2) && c.constantInts(2) == nil {
            if oneSided || c.isPresent(1) { return [.shape(Array(repeating: .unknown, count: rank - 1) + [complex])] }
            dims[rank - 1] = complex
            return [.shape(dims)]
        }
        let axis = c.isPresent(2) ? c.constantInts(2)!.first ?? -2 : -2
        guard -rank <= axis && axis != -1 && axis < rank - 1 else { throw shapeError("axis \(axis) is invalid for rank \(rank)") }
        let index = axis >= 0 ? axis : axis + rank
        if c.isPresent(1) {
            if let length = c.constantInts(1)?.first {
                dims[index] = .fixed(oneSided && !inverse ? (length >> 1) + 1 : length)
            } else {
                dims[index] = .unknown
            }
        } else if oneSided {
            dims[index] = dims[index].value.map { .fixed(inverse ? 2 * ($0 - 1) : ($0 >> 1) + 1) } ?? .unknown
        }
        dims[rank - 1] = complex
        return [.shape(dims)]
    }

    /// [num_rois, C, output_height, output_width].
    static func roiAlign(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        let rois = c.shape(1)?.dims.first ?? c.shape(2)?.dims.first ?? .unknown
        let channels = c.shape(0).flatMap { $0.rank > 1 ? $0.dims[1] : nil } ?? .unknown
        return [.shape([rois, channels, .fixed(c.int("output_height") ?? 1), .fixed(c.int("output_width") ?? 1)])]
    }

    /// [num_rois, C, pooled_shape[0], pooled_shape[1]] from X [N, C, H, W] and rois [num_rois, 5].
    static func maxRoiPool(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        let rois = c.shape(1)?.dims.first ?? .unknown
        let channels = c.shape(0).flatMap { $0.rank > 1 ? $0.dims[1] : nil } ?? .unknown
        guard let pooled = c.ints("pooled_shape"), pooled.count == 2 else {
            throw shapeError("pooled_shape must hold two sizes")
        }
        return [.shape([rois, channels, .fixed(pooled[0]), .fixed(pooled[1])])]
    }

    /// [..., M, M] → [...].
    static func determinant(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        guard input.rank >= 2 else { throw shapeError("the input must have at least 2 dimensions, got \(input)") }
        if let rows = input.dims[input.rank - 2].value, let columns = input.dims[input.rank - 1].value, rows != columns {
            throw shapeError("the last two dimensions of \(input) must be equal")
        }
        return [.shape(Array(input.dims.dropLast(2)))]
    }

    /// [N, C, spatial of the grid…]: X and grid have the same rank (at least 3), and the grid's last
    /// dimension is that rank less 2.
    static func gridSample(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0), let grid = c.shape(1) else { return nil }
        guard input.rank == grid.rank else { throw shapeError("the input \(input) and the grid \(grid) must have the same rank") }
        guard input.rank >= 3 else { throw shapeError("the input and the grid must have at least 3 dimensions, got \(input)") }
        if let last = grid.dims[grid.rank - 1].value, last != input.rank - 2 {
            throw shapeError("the grid's last dimension must be \(input.rank - 2), got \(last)")
        }
        let batch = input.dims[0].value != nil ? input.dims[0] : grid.dims[0]
        return [.shape([batch, input.dims[1]] + Array(grid.dims[1..<(grid.rank - 1)]))]
    }

    /// Along `axis`, the selected count is unknown; without it the result is 1-D.
    static func compress(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let axis = c.int("axis") else { return [.shape([.unknown])] }
        guard let input = c.shape(0) else { return nil }
        guard input.rank >= 1 else { throw shapeError("the input must have at least 1 dimension") }
        let resolved = try normalizedAxis(axis, rank: input.rank)
        var dims = input.dims
        dims[resolved] = .unknown
        return [.shape(dims)]
    }

    /// The indices' shape with `depth` inserted at `axis`.
    static func oneHot(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let indices = c.shape(0) else { return nil }
        guard indices.rank >= 1 else { throw shapeError("the indices must have at least 1 dimension") }
        let axis = try normalizedAxis(c.int("axis") ?? -1, rank: indices.rank + 1)
        let depth: Dimension = c.constantInts(1)?.first.map { .fixed($0) } ?? .unknown
        var dims = indices.dims
        dims.insert(depth, at: axis)
        return [InferredOutput(elementType: c.elementType(2), shape: TensorShape(dims))]
    }

    static func reverseSequence(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0), let lengths = c.shape(1) else { return nil }
        guard input.rank >= 2 else { throw shapeError("the input must have at least 2 dimensions, got \(input)") }
        guard lengths.rank == 1 else { throw shapeError("sequence_lens must have 1 dimension, got \(lengths)") }
        return [InferredOutput(shape: input)]
    }

    /// Y is 1-D without `axis`, else X's shape with the axis unknown; the index outputs are 1-D int64.
    static func unique(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        var y = InferredOutput(shape: TensorShape([Dimension.unknown]))
        if let axis = c.int("axis") {
            if let input = c.shape(0) {
                let resolved = try normalizedAxis(axis, rank: input.rank)
                var dims = input.dims
                dims[resolved] = .unknown
                y = .shape(dims)
            } else {
                y = InferredOutput(shape: nil)
            }
        }
        return [y] + c.node.outputs.dropFirst().map { _ in InferredOutput(elementType: .int64, dimensions: [.unknown]) }
    }

    /// indices[:-1] followed by data[batch_dims + indices[-1]:].
    static func gatherND(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let data = c.shape(0), let indices = c.shape(1) else { return nil }
        guard data.rank >= 1, indices.rank >= 1 else { throw shapeError("data and indices must have at least 1 dimension") }
        guard let last = indices.dims[indices.rank - 1].value else { return nil }
        let start = last + (c.int("batch_dims") ?? 0)
        guard start <= data.rank else { throw shapeError("the indices' last dimension \(last) reaches past the data \(data)") }
        return [.shape(Array(indices.dims.dropLast()) + Array(data.dims[start...]))]
    }
}

extension InferenceContext {
    /// This context with only the inputs at `positions`, in that order (a quantized operator seen
    /// as the float operator it computes).
    func selecting(_ positions: Int...) -> InferenceContext {
        InferenceContext(node: node, schema: schema, opset: opset,
                         inputs: positions.map { $0 < inputs.count ? inputs[$0] : nil },
                         constants: positions.map { $0 < constants.count ? constants[$0] : nil },
                         subgraphOutputs: subgraphOutputs)
    }
}
