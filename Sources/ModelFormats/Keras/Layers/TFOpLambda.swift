import ModelIR

/// tf.keras 2's `TFOpLambda`: a TensorFlow function called on symbolic tensors in a functional
/// model (`x + 3.0` records `tf.__operators__.add`, `x * y` `tf.math.multiply`), its first argument
/// positional and the others by keyword (`y`, a tensor or a constant; `tf.concat` records one entry
/// per joined tensor). Each function is read as the Keras 3 operation of the same meaning, keywords
/// TensorFlow names otherwise renamed (`tf.reshape`'s `shape` is `newshape`); any other function
/// is refused by name. Its subclass `SlicingOpLambda` records `x[:, 0]` as `tf.__operators__.getitem`
/// with a `slice_spec` of integers and `{start, stop, step}` slices, read as Keras 3's `GetItem`.
enum TFOpLambdaMapper: KerasLayerMapper {
    static let classNames = ["TFOpLambda", "SlicingOpLambda"]
    static let keywordTensors: Set<String> = ["y"]

    /// TensorFlow's element-wise binary functions, by `function` name, and the ONNX operator of each.
    static let binary: [String: String] = [
        "__operators__.add": "Add", "math.add": "Add", "math.subtract": "Sub", "math.multiply": "Mul",
        "math.truediv": "Div", "math.divide": "Div", "math.maximum": "Max", "math.minimum": "Min", "math.pow": "Pow",
    ]

    /// TensorFlow's other functions, by `function` name: the Keras 3 operation of the same meaning
    /// and the keywords TensorFlow names otherwise (TensorFlow's → Keras's).
    static let readings: [String: (operation: String, keywords: [String: String])] = [
        "math.negative": ("Negative", [:]), "math.abs": ("Abs", [:]), "math.sqrt": ("Sqrt", [:]), "math.square": ("Square", [:]),
        "math.exp": ("Exp", [:]), "math.log": ("Log", [:]), "math.tanh": ("Tanh", [:]), "nn.relu": ("Relu", [:]),
        "nn.relu6": ("Relu6", [:]), "math.sigmoid": ("Sigmoid", [:]), "nn.sigmoid": ("Sigmoid", [:]), "nn.silu": ("Silu", [:]),
        "nn.swish": ("Silu", [:]), "math.softplus": ("Softplus", [:]), "nn.softmax": ("Softmax", [:]),
        "math.reduce_mean": ("Mean", [:]), "math.reduce_sum": ("Sum", [:]), "math.reduce_max": ("Max", [:]), "math.reduce_min": ("Min", [:]),
        "reshape": ("Reshape", ["shape": "newshape"]), "expand_dims": ("ExpandDims", [:]), "compat.v1.squeeze": ("Squeeze", [:]),
        "squeeze": ("Squeeze", [:]), "compat.v1.transpose": ("Transpose", ["perm": "axes"]), "transpose": ("Transpose", ["perm": "axes"]),
        "concat": ("Concatenate", [:]),
    ]

    /// The Keras 3 operation mappers the readings go to.
    static let operations: [any KerasLayerMapper.Type] = [
        ElementwiseUnaryOperationMapper.self, ActivationOperationMapper.self, ReductionOperationMapper.self,
        ShapeOperationMapper.self, JoinOperationMapper.self,
    ]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let function = call.config["function"]?.string ?? "?"
        if let op = binary[function] {
            let pair = try ElementwiseBinaryOperationMapper.operands(call.operand(0, keyword: "x"), call.operand(1, keyword: "y"), call: call,
                                                                     forceFloat: op == "Div")
            return [pair.result.with(name: call.graph.op(op, [pair.left, pair.right], hint: call.hint(op)))]
        }
        if function == "__operators__.getitem" { return try getItem(call) }
        guard let reading = readings[function], let mapper = operations.first(where: { $0.classNames.contains(reading.operation) }) else {
            let supported = (Array(binary.keys) + Array(readings.keys)).sorted().map { "tf.\($0)" }.joined(separator: ", ")
            throw call.unsupported("the TensorFlow function tf.\(function)", "supported TensorFlow functions: \(supported); or use a Keras layer")
        }
        var keyword: [String: KerasArgument<KerasValue>] = [:]
        for (key, argument) in call.arguments.keyword where key != "name" { keyword[reading.keywords[key] ?? key] = argument }
        let positional = reading.operation == "Concatenate" ? [.list(call.arguments.positional)] : call.arguments.positional
        return try mapper.convert(call.reading(as: reading.operation, arguments: KerasCallArguments(positional: positional, keyword: keyword)))
    }

    /// `x[spec]`: each `{start, stop, step}` of the `slice_spec` becomes the `__slice__` Keras 3 records.
    private static func getItem(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard let x = call.arguments.positional.first, let spec = call.arguments.keyword["slice_spec"]?.json else {
            throw call.invalid("expects a tensor and a slice_spec")
        }
        let items = (spec.array ?? [spec]).map { item -> KerasArgument<KerasValue> in
            guard let bounds = item.object, bounds.keys.contains("start") || bounds.keys.contains("stop") else { return .constant(item) }
            return .constant(.object(["class_name": .string("__slice__"), "config": item]))
        }
        return try GetItemOperationMapper.convert(call.reading(as: "GetItem", arguments: KerasCallArguments(positional: [x, .list(items)])))
    }
}
