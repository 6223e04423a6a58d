import ModelIR

/// Operators that make a tensor from shapes and scalars: ZEROS_LIKE, RANGE and ONE_HOT.
extension TFLiteGraphBuilder {
    /// ZEROS_LIKE: zeros of the input's shape and element type (TFLite's kernel takes float32,
    /// int32 and int64), a typed scalar zero expanded to the input's run-time shape.
    func convertZerosLike(_ op: TFLiteOperator) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        let x = try value(inputIndex)
        let zero = try scalarZero(of: try valueType(output), hint: "\(hint(output))/zero")
        let shape = self.op("Shape", [x], hint: "\(hint(output))/shape")
        try setOutput(output, self.op("Expand", [zero, shape], hint: hint(output)))
    }

    /// RANGE of the scalars start, limit and delta (inputs 0–2): ONNX Range has TensorFlow's
    /// count, ⌈(limit − start) / delta⌉ elements, none when that is not positive.
    func convertRange(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        var inputs: [String] = []
        for position in 0..<3 {
            let index = try requiredInput(op, position)
            guard try shape(index).reduce(1, *) == 1 else { throw malformed("input \(position) must be a scalar, not of shape \(try shape(index))") }
            let scalar = try value(index)
            inputs.append(try rank(index) == 0 ? scalar : self.op("Reshape", [scalar, try context.int64s([])], hint: "\(hint(output))/scalar\(position)"))
        }
        try setOutput(output, self.op("Range", inputs, hint: hint(output)))
    }

    /// ONE_HOT (inputs indices, depth, on value, off value; `OneHotOptions.axis`, −1 the new
    /// last axis): the on value where an index equals the position along the new axis, the off
    /// value elsewhere. An index outside [0, depth) makes only off values, as in TensorFlow (ONNX
    /// OneHot would count a negative index from the end, so this compares with a Range instead).
    func convertOneHot(_ op: TFLiteOperator) throws(ModelFormatError) {
        let indicesIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        let indicesRank = try rank(indicesIndex)
        var axis = Int(try op.options?.int32(0, "axis", default: -1) ?? -1)
        if axis == -1 { axis = indicesRank }
        guard axis >= 0, axis <= indicesRank else { throw malformed("axis \(axis) is outside the output rank \(indicesRank + 1)") }
        let name = hint(output)
        let int64 = Int(DataType.int64.rawValue)
        let indices = self.op("Unsqueeze", [self.op("Cast", [try value(indicesIndex)], [.int("to", int64)], hint: "\(name)/indices"), try context.int64s([axis])],
                              hint: "\(name)/indices_on_axis")
        let depthIndex = try requiredInput(op, 1)
        var depth = self.op("Cast", [try value(depthIndex)], [.int("to", int64)], hint: "\(name)/depth")
        if try rank(depthIndex) != 0 { depth = self.op("Reshape", [depth, try context.int64s([])], hint: "\(name)/depth_scalar") }
        let zero = try scalarZero(of: .int64, hint: "\(name)/zero")
        let one = try context.addInitializer(try context.tensorOf(shape: [], scalars: [Int64(1)], hint: "\(name)/one"), hint: "\(name)/one")
        let positions = self.op("Range", [zero, depth, one], hint: "\(name)/positions")
        let trailing = indicesRank - axis
        let alongAxis = trailing == 0 ? positions
            : self.op("Reshape", [positions, try context.int64s([-1] + [Int](repeating: 1, count: trailing))], hint: "\(name)/positions_on_axis")
        let hits = self.op("Equal", [indices, alongAxis], hint: "\(name)/hits")
        let inputs = [hits, try value(try requiredInput(op, 2)), try value(try requiredInput(op, 3))]
        try setOutput(output, self.op("Where", inputs, hint: name))
    }

    /// A scalar zero initializer of `type` (a float or integer type).
    func scalarZero(of type: DataType, hint: String) throws(ModelFormatError) -> String {
        let tensor: Tensor
        switch type {
        case .float: tensor = try context.tensorOf(shape: [], scalars: [Float(0)], hint: hint)
        case .double: tensor = try context.tensorOf(shape: [], scalars: [Double(0)], hint: hint)
        case .int8: tensor = try context.tensorOf(shape: [], scalars: [Int8(0)], hint: hint)
        case .int16: tensor = try context.tensorOf(shape: [], scalars: [Int16(0)], hint: hint)
        case .int32: tensor = try context.tensorOf(shape: [], scalars: [Int32(0)], hint: hint)
        case .int64: tensor = try context.tensorOf(shape: [], scalars: [Int64(0)], hint: hint)
        case .uint8: tensor = try context.tensorOf(shape: [], scalars: [UInt8(0)], hint: hint)
        default: throw unsupported("a zero of type \(type) is not imported")
        }
        return try context.addInitializer(tensor, hint: hint)
    }
}
