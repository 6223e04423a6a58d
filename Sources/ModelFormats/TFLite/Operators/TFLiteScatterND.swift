import ModelIR

/// SCATTER_ND: updates scattered into zeros of a given shape.
extension TFLiteGraphBuilder {
    /// SCATTER_ND (inputs indices, updates, shape): zeros of the shape with every update added
    /// at its index, updates to the same index summed as TFLite's kernel sums them, as ONNX
    /// ScatterND with `reduction` add into an Expand of a zero.
    func convertScatterND(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let name = hint(output)
        let int64 = Int(DataType.int64.rawValue)
        let shapeIndex = try requiredInput(op, 2)
        let shape: String
        if let constant = try constantInts(shapeIndex) {
            shape = try context.int64s(constant)
        } else {
            shape = self.op("Cast", [try value(shapeIndex)], [.int("to", int64)], hint: "\(name)/shape")
        }
        let zeros = self.op("Expand", [try scalarZero(of: try valueType(output), hint: "\(name)/zero"), shape], hint: "\(name)/zeros")
        let indices = self.op("Cast", [try value(try requiredInput(op, 0))], [.int("to", int64)], hint: "\(name)/indices")
        let inputs = [zeros, indices, try value(try requiredInput(op, 1))]
        try setOutput(output, self.op("ScatterND", inputs, [.string("reduction", "add")], hint: name))
    }
}
