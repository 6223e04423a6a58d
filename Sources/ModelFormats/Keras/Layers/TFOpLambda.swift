import ModelIR

/// tf.keras 2's `TFOpLambda`: a TensorFlow function called on symbolic tensors in a functional
/// model (`x + 3.0` records `tf.__operators__.add`, `x * y` `tf.math.multiply`), its first argument
/// positional and the others by keyword (`y`, a tensor or a constant). Each function is read as the
/// Keras 3 operation of the same meaning (`ElementwiseBinaryOperationMapper`,
/// `ElementwiseUnaryOperationMapper`, `ActivationOperationMapper`); any other is refused by name.
enum TFOpLambdaMapper: KerasLayerMapper {
    static let classNames = ["TFOpLambda"]
    static let keywordTensors: Set<String> = ["y"]

    /// TensorFlow's element-wise binary functions, by `function` name, and the ONNX operator of each.
    static let binary: [String: String] = [
        "__operators__.add": "Add", "math.add": "Add", "math.subtract": "Sub", "math.multiply": "Mul",
        "math.truediv": "Div", "math.divide": "Div", "math.maximum": "Max", "math.minimum": "Min", "math.pow": "Pow",
    ]

    /// TensorFlow's unary functions and activations, by `function` name, and the Keras 3 operation of each.
    static let unary: [String: String] = [
        "math.negative": "Negative", "math.abs": "Abs", "math.sqrt": "Sqrt", "math.square": "Square", "math.exp": "Exp",
        "math.log": "Log", "math.tanh": "Tanh", "nn.relu": "Relu", "nn.relu6": "Relu6", "math.sigmoid": "Sigmoid",
        "nn.sigmoid": "Sigmoid", "nn.silu": "Silu", "nn.swish": "Silu", "math.softplus": "Softplus", "nn.softmax": "Softmax",
    ]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let function = call.config["function"]?.string ?? "?"
        if let op = binary[function] {
            let pair = try ElementwiseBinaryOperationMapper.operands(call.operand(0, keyword: "x"), call.operand(1, keyword: "y"), call: call,
                                                                     forceFloat: op == "Div")
            return [pair.result.with(name: call.graph.op(op, [pair.left, pair.right], hint: call.hint(op)))]
        }
        guard let operation = unary[function] else {
            let supported = (Array(binary.keys) + Array(unary.keys)).sorted().map { "tf.\($0)" }.joined(separator: ", ")
            throw call.unsupported("the TensorFlow function tf.\(function)", "supported TensorFlow functions: \(supported); or use a Keras layer")
        }
        let reading = call.reading(as: operation)
        return try ElementwiseUnaryOperationMapper.classNames.contains(operation)
            ? ElementwiseUnaryOperationMapper.convert(reading) : ActivationOperationMapper.convert(reading)
    }
}
