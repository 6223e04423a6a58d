import ModelIR

/// Element-wise operators: binary arithmetic with its fused activation, comparisons and logic,
/// and the activation functions.
extension TFLiteGraphBuilder {
    /// ADD, SUB, MUL, DIV (options slot 0: fused activation), MAXIMUM, MINIMUM, LESS, LOGICAL_AND.
    func convertBinary(_ op: TFLiteOperator, opType: String, hasActivation: Bool) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let inputs = [try value(try requiredInput(op, 0)), try value(try requiredInput(op, 1))]
        let result = self.op(opType, inputs, hint: hint(output))
        let activation = hasActivation ? try op.options?.int8(0, "fused_activation_function") ?? 0 : 0
        try setOutput(output, try fusedActivation(activation, result, hint: hint(output)))
    }

    /// Single-input ONNX operators with fixed attributes (LOGISTIC, TANH, RELU, HARD_SWISH, EXP, …).
    func convertUnary(_ op: TFLiteOperator, opType: String, attributes: [Attribute] = []) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        try setOutput(output, self.op(opType, [try value(try requiredInput(op, 0))], attributes, hint: hint(output)))
    }

    /// RELU6 and RELU_N1_TO_1 as Clip.
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
