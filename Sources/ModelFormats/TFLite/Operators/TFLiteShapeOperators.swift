import ModelIR

/// Operators that move or regroup elements: RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE,
/// CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V, TILE, BROADCAST_TO, SHAPE, CAST, GATHER,
/// GATHER_ND and FILL.
extension TFLiteGraphBuilder {
    /// RESHAPE to the shape of input 1 (constant, or computed and cast to int64), or the
    /// options' `new_shape` when input 1 is absent.
    func convertReshape(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let x = try value(try requiredInput(op, 0))
        let shapeValue: String
        var constantShape: [Int]?
        if let shapeIndex = input(op, 1) {
            constantShape = try constantInts(shapeIndex)
            if let constantShape {
                shapeValue = try context.int64s(constantShape)
            } else {
                shapeValue = self.op("Cast", [try value(shapeIndex)], [.int("to", Int(DataType.int64.rawValue))], hint: "\(hint(output))/shape")
            }
        } else if let newShape = try op.options?.int32s(0, "new_shape") {
            constantShape = newShape.map { Int($0) }
            shapeValue = try context.int64s(newShape.map { Int($0) })
        } else {
            throw malformed("has neither a shape input nor ReshapeOptions.new_shape")
        }
        let allowZero = constantShape?.contains(0) == true
        try setOutput(output, self.op("Reshape", [x, shapeValue], allowZero ? [.int("allowzero", 1)] : [], hint: hint(output)))
    }

    /// SQUEEZE of `squeeze_dims`, or of every axis of static size 1 when the list is empty.
    func convertSqueeze(_ op: TFLiteOperator) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        let shape = try shape(inputIndex)
        var axes = (try op.options?.int32s(0, "squeeze_dims") ?? []).map { Int($0) < 0 ? Int($0) + shape.count : Int($0) }
        if axes.isEmpty { axes = shape.indices.filter { shape[$0] == 1 } }
        guard axes.allSatisfy({ $0 >= 0 && $0 < shape.count }) else { throw malformed("squeeze axes \(axes) are outside rank \(shape.count)") }
        try setOutput(output, self.op("Squeeze", [try value(inputIndex), try context.int64s(axes)], hint: hint(output)))
    }

    /// EXPAND_DIMS at the constant axis of input 1.
    func convertExpandDims(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let axes = try requiredInts(try requiredInput(op, 1), "axis")
        guard axes.count == 1 else { throw malformed("axis must hold one value, not \(axes.count)") }
        try setOutput(output, self.op("Unsqueeze", [try value(try requiredInput(op, 0)), try context.int64s(axes)], hint: hint(output)))
    }

    /// TRANSPOSE by the constant permutation of input 1.
    func convertTranspose(_ op: TFLiteOperator) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        let perm = try requiredInts(try requiredInput(op, 1), "permutation")
        let rank = try rank(inputIndex)
        guard perm.count == rank, Set(perm) == Set(0..<rank) else { throw malformed("permutation \(perm) does not fit rank \(rank)") }
        try setOutput(output, self.op("Transpose", [try value(inputIndex)], [.ints("perm", perm)], hint: hint(output)))
    }

    /// CONCATENATION along `axis`, with its fused activation.
    func convertConcatenation(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        var inputs: [String] = []
        for index in op.inputs where index >= 0 { inputs.append(try value(index)) }
        guard !inputs.isEmpty else { throw malformed("has no inputs") }
        let axis = Int(try op.options?.int32(0, "axis") ?? 0)
        let activation = try op.options?.int8(1, "fused_activation_function") ?? 0
        let joined = self.op("Concat", inputs, [.int("axis", axis)], hint: hint(output))
        try setOutput(output, try fusedActivation(activation, joined, hint: hint(output)))
    }

    /// PACK: every input unsqueezed at `axis`, then concatenated.
    func convertPack(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let axis = Int(try op.options?.int32(1, "axis") ?? 0)
        let axes = try context.int64s([axis])
        var inputs: [String] = []
        for index in op.inputs where index >= 0 {
            inputs.append(self.op("Unsqueeze", [try value(index), axes], hint: "\(hint(output))/item"))
        }
        guard !inputs.isEmpty else { throw malformed("has no inputs") }
        try setOutput(output, self.op("Concat", inputs, [.int("axis", axis)], hint: hint(output)))
    }

    /// UNPACK: a split into `num` pieces along `axis`, each squeezed.
    func convertUnpack(_ op: TFLiteOperator) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let axis = Int(try op.options?.int32(1, "axis") ?? 0)
        let count = op.outputs.count
        guard count >= 1 else { throw malformed("has no outputs") }
        let pieces = add("Split", [try value(inputIndex)], [.int("axis", axis)], hint: "\(hint(op.outputs[0]))/split", outputs: count)
        let axes = try context.int64s([axis])
        for (piece, output) in zip(pieces, op.outputs) {
            try setOutput(output, self.op("Squeeze", [piece, axes], hint: hint(output)))
        }
    }

    /// SPLIT: input 0 the constant axis, input 1 the tensor, into equal parts, one per output.
    func convertSplit(_ op: TFLiteOperator) throws(ModelFormatError) {
        let axis = try requiredInts(try requiredInput(op, 0), "split axis")
        guard axis.count == 1 else { throw malformed("split axis must hold one value") }
        let count = op.outputs.count
        guard count >= 1 else { throw malformed("has no outputs") }
        let pieces = add("Split", [try value(try requiredInput(op, 1))], [.int("axis", axis[0])], hint: "\(hint(op.outputs[0]))/split", outputs: count)
        for (piece, output) in zip(pieces, op.outputs) { try setOutput(output, piece) }
    }

    /// SPLIT_V: input 0 the tensor, input 1 the constant sizes (one of them may be −1: the rest
    /// of the axis), input 2 the constant axis.
    func convertSplitV(_ op: TFLiteOperator) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        var sizes = try requiredInts(try requiredInput(op, 1), "split sizes")
        let axis = try requiredInts(try requiredInput(op, 2), "split axis")
        let shape = try shape(inputIndex)
        guard axis.count == 1, axis[0] >= -shape.count, axis[0] < shape.count else { throw malformed("split axis \(axis) does not name one axis of rank \(shape.count)") }
        let dimension = shape[axis[0] < 0 ? axis[0] + shape.count : axis[0]]
        if let free = sizes.firstIndex(of: -1) {
            sizes[free] = dimension - sizes.filter { $0 != -1 }.reduce(0, +)
        }
        guard sizes.count == op.outputs.count, sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == dimension else {
            throw malformed("split sizes \(sizes) do not divide the axis of size \(dimension) into \(op.outputs.count) parts")
        }
        let pieces = add("Split", [try value(inputIndex), try context.int64s(sizes)], [.int("axis", axis[0])], hint: "\(hint(op.outputs[0]))/split",
                         outputs: sizes.count)
        for (piece, output) in zip(pieces, op.outputs) { try setOutput(output, piece) }
    }

    /// TILE by the multiples of input 1 and BROADCAST_TO the shape of input 1 (constant or
    /// computed), as Tile and Expand.
    func convertTile(_ op: TFLiteOperator, opType: String) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let countsIndex = try requiredInput(op, 1)
        let counts: String
        if let constant = try constantInts(countsIndex) {
            counts = try context.int64s(constant)
        } else {
            counts = self.op("Cast", [try value(countsIndex)], [.int("to", Int(DataType.int64.rawValue))], hint: "\(hint(output))/counts")
        }
        try setOutput(output, self.op(opType, [try value(try requiredInput(op, 0)), counts], hint: hint(output)))
    }

    /// GATHER_ND with the indices cast to int64, as ONNX GatherND wants them.
    func convertGatherND(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let indices = self.op("Cast", [try value(try requiredInput(op, 1))], [.int("to", Int(DataType.int64.rawValue))], hint: "\(hint(output))/indices")
        try setOutput(output, self.op("GatherND", [try value(try requiredInput(op, 0)), indices], hint: hint(output)))
    }

    /// SHAPE, as int32 or int64 like the output tensor.
    func convertShape(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let shape = self.op("Shape", [try value(try requiredInput(op, 0))], hint: "\(hint(output))/int64")
        let type = try dataType(output)
        try setOutput(output, type == .int64 ? shape : self.op("Cast", [shape], [.int("to", Int(type.rawValue))], hint: hint(output)))
    }

    /// CAST to the output tensor's type.
    func convertCast(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let type = try dataType(output)
        try setOutput(output, self.op("Cast", [try value(try requiredInput(op, 0))], [.int("to", Int(type.rawValue))], hint: hint(output)))
    }

    /// GATHER along `axis`. With `batch_dims` b (TensorFlow's: the first b axes of input and
    /// indices index alike) and `axis` b, GatherND with `batch_dims` b of the indices given a last
    /// axis of length 1; other `batch_dims` are not imported.
    func convertGather(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let inputIndex = try requiredInput(op, 0)
        let indicesIndex = try requiredInput(op, 1)
        var axis = Int(try op.options?.int32(0, "axis") ?? 0)
        var batchDims = Int(try op.options?.int32(1, "batch_dims") ?? 0)
        let inputs = [try value(inputIndex), try value(indicesIndex)]
        guard batchDims != 0 else {
            try setOutput(output, self.op("Gather", inputs, [.int("axis", axis)], hint: hint(output)))
            return
        }
        if axis < 0 { axis += try rank(inputIndex) }
        if batchDims < 0 { batchDims += try rank(indicesIndex) }
        guard batchDims == axis else { throw unsupported("batch_dims \(batchDims) other than 0 or the axis (\(axis)) is not imported") }
        let int64 = self.op("Cast", [inputs[1]], [.int("to", Int(DataType.int64.rawValue))], hint: "\(hint(output))/indices")
        let indices = self.op("Unsqueeze", [int64, try context.int64s([-1])], hint: "\(hint(output))/index_tuples")
        try setOutput(output, self.op("GatherND", [inputs[0], indices], [.int("batch_dims", batchDims)], hint: hint(output)))
    }

    /// FILL: the scalar value of input 1 expanded to the dimensions of input 0.
    func convertFill(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let dimensions = try requiredInput(op, 0)
        let shape: String
        if let constant = try constantInts(dimensions) {
            shape = try context.int64s(constant)
        } else {
            shape = self.op("Cast", [try value(dimensions)], [.int("to", Int(DataType.int64.rawValue))], hint: "\(hint(output))/shape")
        }
        try setOutput(output, self.op("Expand", [try value(try requiredInput(op, 1)), shape], hint: hint(output)))
    }
}
