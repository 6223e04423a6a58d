import ModelIR

/// TOPK_V2: the k largest values along the last axis and their indices.
extension TFLiteGraphBuilder {
    /// TOPK_V2 (inputs: the tensor and the scalar k; outputs: values and indices) as ONNX TopK
    /// over the last axis, largest first, the lower index first among equal values as in
    /// TensorFlow; the indices cast to the output's int32 (or int64).
    func convertTopK(_ op: TFLiteOperator) throws(ModelFormatError) {
        let valuesOutput = try requiredOutput(op, 0)
        let indicesOutput = try requiredOutput(op, 1)
        let kIndex = try requiredInput(op, 1)
        let k: String
        if let constant = try constantInts(kIndex) {
            guard constant.count == 1, constant[0] >= 0 else { throw malformed("k \(constant) must be one non-negative number") }
            k = try context.int64s(constant)
        } else {
            let cast = self.op("Cast", [try value(kIndex)], [.int("to", Int(DataType.int64.rawValue))], hint: "\(hint(valuesOutput))/k")
            k = self.op("Reshape", [cast, try context.int64s([1])], hint: "\(hint(valuesOutput))/k_vector")
        }
        let attributes: [Attribute] = [.int("axis", -1), .int("largest", 1), .int("sorted", 1)]
        let results = add("TopK", [try value(try requiredInput(op, 0)), k], attributes, hint: hint(valuesOutput), outputs: 2)
        try setOutput(valuesOutput, results[0])
        let type = try dataType(indicesOutput)
        try setOutput(indicesOutput, type == .int64 ? results[1] : self.op("Cast", [results[1]], [.int("to", Int(type.rawValue))], hint: hint(indicesOutput)))
    }
}
