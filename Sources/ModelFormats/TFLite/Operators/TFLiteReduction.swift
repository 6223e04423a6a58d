import ModelIR

/// Reductions over constant axes: MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_ANY, REDUCE_ALL
/// (`ReducerOptions.keep_dims`), ARG_MAX and ARG_MIN, the running sum CUMSUM, and
/// L2_NORMALIZATION over the last axis.
extension TFLiteGraphBuilder {
    /// The reduction `opType` of input 0 over the axes of input 1 (none: the input itself, as in TensorFlow).
    func convertReduce(_ op: TFLiteOperator, opType: String) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        try setOutput(output, try reduce(op, opType: opType, x: try value(try requiredInput(op, 0)), hint: hint(output)))
    }

    /// REDUCE_ANY (`opType` ReduceMax) and REDUCE_ALL (ReduceMin): the booleans as int32, their
    /// reduction, back to bool.
    func convertBooleanReduction(_ op: TFLiteOperator, opType: String) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let integers = self.op("Cast", [try value(try requiredInput(op, 0))], [.int("to", Int(DataType.int32.rawValue))], hint: "\(hint(output))/int32")
        let reduced = try reduce(op, opType: opType, x: integers, hint: "\(hint(output))/reduced")
        try setOutput(output, self.op("Cast", [reduced], [.int("to", Int(DataType.bool.rawValue))], hint: hint(output)))
    }

    /// ARG_MAX and ARG_MIN along the constant axis of input 1 (the first index among equals, as
    /// in TensorFlow), as the output's int32 or int64.
    func convertArgExtremum(_ op: TFLiteOperator, opType: String) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        let rank = try rank(inputIndex)
        let axes = try requiredInts(try requiredInput(op, 1), "axis")
        guard axes.count == 1, axes[0] >= -rank, axes[0] < rank else { throw malformed("axis \(axes) does not name one axis of rank \(rank)") }
        let indices = self.op(opType, [try value(inputIndex)], [.int("axis", axes[0]), .int("keepdims", 0)], hint: "\(hint(output))/int64")
        let type = try dataType(output)
        try setOutput(output, type == .int64 ? indices : self.op("Cast", [indices], [.int("to", Int(type.rawValue))], hint: hint(output)))
    }

    /// CUMSUM along the axis of input 1 (`CumsumOptions.exclusive`, `reverse`).
    func convertCumsum(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let exclusive = try op.options?.bool(0, "exclusive") ?? false
        let reverse = try op.options?.bool(1, "reverse") ?? false
        let inputs = [try value(try requiredInput(op, 0)), try value(try requiredInput(op, 1))]
        try setOutput(output, self.op("CumSum", inputs, [.int("exclusive", exclusive ? 1 : 0), .int("reverse", reverse ? 1 : 0)], hint: hint(output)))
    }

    /// L2_NORMALIZATION: x / max(‖x‖, 1e-6) over the last axis, TFLite's kernel's epsilon.
    func convertL2Normalization(_ op: TFLiteOperator) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        let x = try value(inputIndex)
        let last = try rank(inputIndex) - 1
        guard last >= 0 else { throw malformed("input is a scalar") }
        let norm = try reduction("ReduceL2", x, axes: [last], keepDims: true, hint: "\(hint(output))/norm")
        let bounded = self.op("Max", [norm, try context.floatScalar(1e-6)], hint: "\(hint(output))/bounded_norm")
        try setOutput(output, self.op("Div", [x, bounded], hint: hint(output)))
    }

    private func reduce(_ op: TFLiteOperator, opType: String, x: String, hint: String) throws(ModelFormatError) -> String {
        let rank = try rank(try requiredInput(op, 0))
        let axes = try requiredInts(try requiredInput(op, 1), "reduction axes").map { $0 < 0 ? $0 + rank : $0 }
        guard axes.allSatisfy({ $0 >= 0 && $0 < rank }) else { throw malformed("reduction axes \(axes) are outside rank \(rank)") }
        if axes.isEmpty { return self.op("Identity", [x], hint: hint) }
        return try reduction(opType, x, axes: axes, keepDims: try op.options?.bool(0, "keep_dims") ?? false, hint: hint)
    }

    /// ONNX reduction `opType` of `x` over `axes`: ReduceSum takes them as an input, the others
    /// as an attribute before opset 18.
    private func reduction(_ opType: String, _ x: String, axes: [Int], keepDims: Bool, hint: String) throws(ModelFormatError) -> String {
        let keep: Attribute = .int("keepdims", keepDims ? 1 : 0)
        if opType != "ReduceSum" && context.opset < 18 {
            return self.op(opType, [x], [.ints("axes", axes), keep], hint: hint)
        }
        return self.op(opType, [x, try context.int64s(axes)], [keep], hint: hint)
    }
}
