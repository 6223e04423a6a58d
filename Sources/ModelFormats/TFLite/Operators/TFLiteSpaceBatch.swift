import ModelIR

/// SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND over the M spatial axes after the batch (constant
/// `block_shape` and paddings or crops), as Pad, Reshape, Transpose, Reshape (and Slice for the
/// crops). TensorFlow lowers a dilated convolution to SPACE_TO_BATCH_ND → CONV_2D or
/// DEPTHWISE_CONV_2D → BATCH_TO_SPACE_ND; BATCH_TO_SPACE_ND recognises that chain and makes one
/// dilated Conv of it, leaving the general nodes to the dead-node pruning when nothing else reads them.
extension TFLiteGraphBuilder {
    /// The constant block shape and [M, 2] paddings or crops of SPACE_TO_BATCH_ND or
    /// BATCH_TO_SPACE_ND `op`, and the sizes of the input's axes after the batch, which must be static.
    private struct SpaceBatchParameters {
        var block: [Int]
        var before: [Int]
        var after: [Int]
        var innerShape: [Int]
    }

    private func spaceBatchParameters(_ op: TFLiteOperator, what: String) throws(ModelFormatError) -> SpaceBatchParameters {
        let inputIndex = try requiredInput(op, 0)
        let shape = try shape(inputIndex)
        let block = try requiredInts(try requiredInput(op, 1), "block shape")
        let amounts = try requiredInts(try requiredInput(op, 2), what)
        let spatial = block.count
        guard spatial >= 1, shape.count >= spatial + 1, amounts.count == 2 * spatial else {
            throw malformed("block shape \(block) and \(what) \(amounts) do not fit an input of rank \(shape.count)")
        }
        guard block.allSatisfy({ $0 >= 1 }), amounts.allSatisfy({ $0 >= 0 }) else {
            throw malformed("block shape \(block) must be positive and \(what) \(amounts) non-negative")
        }
        if let signature = try tensor(inputIndex).shapeSignature, signature.count == shape.count, signature.dropFirst().contains(where: { $0 < 0 }) {
            throw unsupported("input '\(try tensor(inputIndex).name)' has sizes free at run time after the batch (\(signature)); ModelGate imports a free batch only")
        }
        return SpaceBatchParameters(block: block, before: stride(from: 0, to: amounts.count, by: 2).map { amounts[$0] },
                                    after: stride(from: 1, to: amounts.count, by: 2).map { amounts[$0] }, innerShape: Array(shape.dropFirst()))
    }

    /// SPACE_TO_BATCH_ND: the spatial axes padded with zeros (the zero point of a quantized
    /// tensor, which stands for 0), split into blocks, and the block offsets moved in front of the
    /// batch: output batch index (offset · B + b), as TensorFlow orders it.
    func convertSpaceToBatchND(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let parameters = try spaceBatchParameters(op, what: "paddings")
        let spatial = parameters.block.count
        var padded = parameters.innerShape
        for axis in 0..<spatial {
            padded[axis] += parameters.before[axis] + parameters.after[axis]
            guard padded[axis] % parameters.block[axis] == 0 else {
                throw malformed("padded spatial size \(padded[axis]) of axis \(axis + 1) is not a multiple of the block size \(parameters.block[axis])")
            }
        }
        let rest = Array(parameters.innerShape.dropFirst(spatial))
        var x = try value(try requiredInput(op, 0))
        if (parameters.before + parameters.after).contains(where: { $0 != 0 }) {
            let pads = [0] + parameters.before + [Int](repeating: 0, count: rest.count) + [0] + parameters.after + [Int](repeating: 0, count: rest.count)
            x = self.op("Pad", [x, try context.int64s(pads)], hint: "\(hint(output))/padded")
        }
        var split: [Int] = [-1]
        for axis in 0..<spatial { split += [padded[axis] / parameters.block[axis], parameters.block[axis]] }
        let blocks = self.op("Reshape", [x, try context.int64s(split + rest)], hint: "\(hint(output))/blocks")
        let perm = (0..<spatial).map { 2 + 2 * $0 } + [0] + (0..<spatial).map { 1 + 2 * $0 } + (0..<rest.count).map { 1 + 2 * spatial + $0 }
        let moved = self.op("Transpose", [blocks], [.ints("perm", perm)], hint: "\(hint(output))/moved")
        let shape = [-1] + (0..<spatial).map { padded[$0] / parameters.block[$0] } + rest
        try setOutput(output, self.op("Reshape", [moved, try context.int64s(shape)], hint: hint(output)))
    }

    /// BATCH_TO_SPACE_ND: the batch split into the block offsets and the batch, the offsets
    /// interleaved with the spatial axes, then the crops removed from both ends. The end of a
    /// dilated convolution (see the type's summary) becomes one dilated Conv instead.
    func convertBatchToSpaceND(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let parameters = try spaceBatchParameters(op, what: "crops")
        if let folded = try dilatedConvolution(endingWith: op, parameters) {
            try setOutput(output, folded)
            return
        }
        let spatial = parameters.block.count
        let rest = Array(parameters.innerShape.dropFirst(spatial))
        let x = try value(try requiredInput(op, 0))
        let split = parameters.block + [-1] + parameters.innerShape
        let blocks = self.op("Reshape", [x, try context.int64s(split)], hint: "\(hint(output))/blocks")
        var perm = [spatial]
        for axis in 0..<spatial { perm += [spatial + 1 + axis, axis] }
        perm += (0..<rest.count).map { 2 * spatial + 1 + $0 }
        let moved = self.op("Transpose", [blocks], [.ints("perm", perm)], hint: "\(hint(output))/moved")
        let uncropped = (0..<spatial).map { parameters.innerShape[$0] * parameters.block[$0] }
        var result = self.op("Reshape", [moved, try context.int64s([-1] + uncropped + rest)], hint: "\(hint(output))/uncropped")
        if (parameters.before + parameters.after).contains(where: { $0 != 0 }) {
            let ends = (0..<spatial).map { uncropped[$0] - parameters.after[$0] }
            guard zip(parameters.before, ends).allSatisfy({ $0 < $1 }) else {
                throw malformed("crops \(parameters.before), \(parameters.after) leave nothing of spatial sizes \(uncropped)")
            }
            let inputs = [result, try context.int64s(parameters.before), try context.int64s(ends), try context.int64s(Array(1...spatial))]
            result = self.op("Slice", inputs, hint: hint(output))
        }
        try setOutput(output, result)
    }

    /// One dilated Conv in place of SPACE_TO_BATCH_ND → CONV_2D or DEPTHWISE_CONV_2D (stride 1,
    /// dilation 1, VALID) → BATCH_TO_SPACE_ND `op` with the same two-axis block shape and no crop at
    /// the start, or nil when the operators before `op` are not that chain. The convolution over
    /// the blocks is the convolution dilated by the block size over the padded input, so the Conv
    /// pads by the paddings less the crops. A quantized convolution output with parameters other
    /// than `op`'s output is snapped to its own grid first.
    private func dilatedConvolution(endingWith op: TFLiteOperator, _ parameters: SpaceBatchParameters) throws(ModelFormatError) -> String? {
        guard parameters.block.count == 2, parameters.innerShape.count == 3, parameters.before.allSatisfy({ $0 == 0 }) else { return nil }
        let convolutionOutput = try requiredInput(op, 0)
        guard let (convolutionOp, convolutionCode) = producer(of: convolutionOutput),
              convolutionCode == .conv2D || convolutionCode == .depthwiseConv2D else { return nil }
        let depthwise = convolutionCode == .depthwiseConv2D
        var options = try convolutionOptions(convolutionOp, depthwise: depthwise)
        guard options.padding == 1, options.strides == [1, 1], options.dilations == [1, 1] else { return nil }
        let blocked = try requiredInput(convolutionOp, 0)
        guard let (spaceToBatch, code) = producer(of: blocked), code == .spaceToBatchND else { return nil }
        let padding = try spaceBatchParameters(spaceToBatch, what: "paddings")
        guard padding.block == parameters.block, padding.innerShape.count == 3 else { return nil }
        let source = try requiredInput(spaceToBatch, 0)
        guard try sameQuantization(source, blocked) else { return nil }
        let ends = zip(padding.after, parameters.after).map { $0 - $1 }
        guard ends.allSatisfy({ $0 >= 0 }) else { return nil }
        options.dilations = parameters.block
        var result = try convolution(convolutionOp, depthwise: depthwise, input: try value(source), options: options, pads: padding.before + ends)
        if try !sameQuantization(convolutionOutput, try requiredOutput(op)) {
            result = try snapped(result, toGridOf: convolutionOutput)
        }
        return result
    }

    /// The operator before the current one that writes tensor `index`, with its builtin, if any.
    private func producer(of index: Int32) -> (TFLiteOperator, TFLiteBuiltin?)? {
        for op in subgraph.operators.prefix(operatorIndex).reversed() where op.outputs.contains(index) {
            guard Int(op.opcodeIndex) < context.model.operatorCodes.count else { return nil }
            return (op, TFLiteBuiltin(rawValue: context.model.operatorCodes[Int(op.opcodeIndex)].builtinCode))
        }
        return nil
    }
}
