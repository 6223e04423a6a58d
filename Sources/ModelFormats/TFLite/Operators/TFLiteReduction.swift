import ModelIR

/// MEAN and SUM over the constant axes of input 1 (`ReducerOptions.keep_dims`).
extension TFLiteGraphBuilder {
    func convertReduce(_ op: TFLiteOperator, opType: String) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        let rank = try rank(inputIndex)
        let axes = try requiredInts(try requiredInput(op, 1), "reduction axes").map { $0 < 0 ? $0 + rank : $0 }
        guard axes.allSatisfy({ $0 >= 0 && $0 < rank }) else { throw malformed("reduction axes \(axes) are outside rank \(rank)") }
        let keepDims = try op.options?.bool(0, "keep_dims") ?? false
        let x = try value(inputIndex)
        let reduced: String
        if opType == "ReduceMean" && context.opset < 18 {
            reduced = self.op(opType, [x], [.ints("axes", axes), .int("keepdims", keepDims ? 1 : 0)], hint: hint(output))
        } else {
            reduced = self.op(opType, [x, try context.int64s(axes)], [.int("keepdims", keepDims ? 1 : 0)], hint: hint(output))
        }
        try setOutput(output, reduced)
    }
}
