import ModelIR

/// Element-wise operators: binary arithmetic with its fused activation, comparisons and logic,
/// selection, and the activation functions.
extension TFLiteGraphBuilder {
    /// ADD, SUB, MUL, DIV (options slot 0: fused activation), and without activation MAXIMUM,
    /// MINIMUM, POW, the comparisons and LOGICAL_AND / LOGICAL_OR.
    func convertBinary(_ op: TFLiteOperator, opType: String, hasActivation: Bool) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let inputs = [try value(try requiredInput(op, 0)), try value(try requiredInput(op, 1))]
        let result = self.op(opType, inputs, hint: hint(output))
        let activation = hasActivation ? try op.options?.int8(0, "fused_activation_function") ?? 0 : 0
        try setOutput(output, try fusedActivation(activation, result, hint: hint(output)))
    }

    /// NOT_EQUAL as Not(Equal).
    func convertNotEqual(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let inputs = [try value(try requiredInput(op, 0)), try value(try requiredInput(op, 1))]
        try setOutput(output, self.op("Not", [self.op("Equal", inputs, hint: "\(hint(output))/equal")], hint: hint(output)))
    }

    /// SQUARED_DIFFERENCE as (a − b)·(a − b).
    func convertSquaredDifference(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let inputs = [try value(try requiredInput(op, 0)), try value(try requiredInput(op, 1))]
        let difference = self.op("Sub", inputs, hint: "\(hint(output))/difference")
        try setOutput(output, self.op("Mul", [difference, difference], hint: hint(output)))
    }

    /// SQUARE as x·x.
    func convertSquare(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let x = try value(try requiredInput(op, 0))
        try setOutput(output, self.op("Mul", [x, x], hint: hint(output)))
    }

    /// ADD_N as Sum of every input.
    func convertAddN(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        var inputs: [String] = []
        for index in op.inputs where index >= 0 { inputs.append(try value(index)) }
        guard !inputs.isEmpty else { throw malformed("has no inputs") }
        try setOutput(output, self.op("Sum", inputs, hint: hint(output)))
    }

    /// PRELU: the slopes (input 1) broadcast against the input as ONNX PRelu's do.
    func convertPRelu(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let inputs = [try value(try requiredInput(op, 0)), try value(try requiredInput(op, 1))]
        try setOutput(output, self.op("PRelu", inputs, hint: hint(output)))
    }

    /// SELECT and SELECT_V2 as Where. SELECT's condition may instead be a vector choosing whole
    /// slices along the first axis of a higher-rank input; it is reshaped to broadcast that way.
    func convertSelect(_ op: TFLiteOperator, broadcastsRankOneCondition: Bool) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let conditionIndex = try requiredInput(op, 0)
        let trueIndex = try requiredInput(op, 1)
        var condition = try value(conditionIndex)
        let valueRank = try rank(trueIndex)
        if broadcastsRankOneCondition, try rank(conditionIndex) == 1, valueRank > 1 {
            let shape = try context.int64s([-1] + [Int](repeating: 1, count: valueRank - 1))
            condition = self.op("Reshape", [condition, shape], hint: "\(hint(output))/condition")
        }
        let inputs = [condition, try value(trueIndex), try value(try requiredInput(op, 2))]
        try setOutput(output, self.op("Where", inputs, hint: hint(output)))
    }

    /// Single-input ONNX operators with fixed attributes (LOGISTIC, TANH, RELU, HARD_SWISH, EXP,
    /// ABS, NEG, LOG, SIN, COS, CEIL, ROUND, ELU, LOGICAL_NOT, …).
    func convertUnary(_ op: TFLiteOperator, opType: String, attributes: [Attribute] = []) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        try setOutput(output, self.op(opType, [try value(try requiredInput(op, 0))], attributes, hint: hint(output)))
    }

    /// RELU6, RELU_N1_TO_1 and RELU_0_TO_1 as Clip.
    func convertClip(_ op: TFLiteOperator, min: Float, max: Float) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let inputs = [try value(try requiredInput(op, 0)), try context.floatScalar(min), try context.floatScalar(max)]
        try setOutput(output, self.op("Clip", inputs, hint: hint(output)))
    }

    /// LEAKY_RELU (`LeakyReluOptions.alpha`).
    func convertLeakyRelu(_ op: TFLiteOperator) throws(ModelFormatError) {
        let alpha = try op.options?.float(0, "alpha") ?? 0.2
        try convertUnary(op, opType: "LeakyRelu", attributes: [.float("alpha", alpha)])
    }

    /// SOFTMAX over the last axis; `beta` other than 1 scales the logits first.
    func convertSoftmax(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        var x = try value(try requiredInput(op, 0))
        let beta = try op.options?.float(0, "beta", default: 1) ?? 1
        if beta != 1 { x = self.op("Mul", [x, try context.floatScalar(beta)], hint: "\(hint(output))/scaled") }
        try setOutput(output, self.op("Softmax", [x], [.int("axis", -1)], hint: hint(output)))
    }

    /// LOG_SOFTMAX over the last axis.
    func convertLogSoftmax(_ op: TFLiteOperator) throws(ModelFormatError) {
        try convertUnary(op, opType: "LogSoftmax", attributes: [.int("axis", -1)])
    }

    /// GELU, exact (0.5·x·(1 + erf(x/√2))) or with `approximate` the tanh form, from opset-13 operators.
    func convertGelu(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let x = try value(try requiredInput(op, 0))
        let approximate = try op.options?.bool(0, "approximate") ?? false
        let name = hint(output)
        let inner: String
        if approximate {
            let cube = self.op("Mul", [self.op("Mul", [x, x], hint: "\(name)/x2"), x], hint: "\(name)/x3")
            let sum = self.op("Add", [x, self.op("Mul", [cube, try context.floatScalar(0.044715)], hint: "\(name)/cubic")], hint: "\(name)/sum")
            let scaled = self.op("Mul", [sum, try context.floatScalar(Float((2.0 / Double.pi).squareRoot()))], hint: "\(name)/scaled")
            inner = self.op("Tanh", [scaled], hint: "\(name)/tanh")
        } else {
            inner = self.op("Erf", [self.op("Mul", [x, try context.floatScalar(Float(0.5.squareRoot()))], hint: "\(name)/scaled")], hint: "\(name)/erf")
        }
        let onePlus = self.op("Add", [inner, try context.floatScalar(1)], hint: "\(name)/one_plus")
        let half = self.op("Mul", [x, try context.floatScalar(0.5)], hint: "\(name)/half")
        try setOutput(output, self.op("Mul", [half, onePlus], hint: name))
    }
}
