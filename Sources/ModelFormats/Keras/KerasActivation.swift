import ModelIR

/// Keras activation functions as ONNX nodes, with Keras's own definitions (Keras 3's
/// hard_sigmoid is relu6(x + 3) / 6, tf.keras 2's was clip(0.2·x + 0.5, 0, 1)).
enum KerasActivation {
    static let supported = ["linear", "relu", "relu6", "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax",
                            "softplus", "softsign", "swish", "silu", "hard_silu", "hard_swish", "gelu",
                            "gelu (approximate, registered as gelu_tanh)", "elu", "selu", "exponential",
                            "leaky_relu", "mish", "celu", "glu", "hard_tanh", "log_sigmoid", "tanh_shrink", "squareplus",
                            "sparse_plus", "sparse_sigmoid", "hard_shrink", "soft_shrink", "sparsemax"]

    /// The activation's name from its serialized form: a string, or Keras 3's
    /// `{"class_name": "function", "config": "relu"}`; a `package>` prefix is dropped.
    static func name(of activation: KerasJSON) -> String? {
        var raw: String?
        if let string = activation.string {
            raw = string
        } else if let config = activation["config"]?.string {
            raw = config
        } else if let config = activation["config"]?["name"]?.string {
            raw = config
        }
        guard let raw else { return nil }
        return raw.split(separator: ">").last.map(String.init) ?? raw
    }

    /// Applies `activation` to `value`, keeping its layout.
    static func apply(_ activation: KerasJSON, to value: KerasValue, call: KerasLayerCall) throws(KerasImportError) -> KerasValue {
        guard let name = name(of: activation) else {
            throw call.unsupported("activation \(activation)", "use one of: \(supported.joined(separator: ", "))")
        }
        return try apply(named: name, to: value, call: call)
    }

    static func apply(named name: String, to value: KerasValue, call: KerasLayerCall) throws(KerasImportError) -> KerasValue {
        let graph = call.graph
        let x = value.name
        let hint = call.hint(name)
        func unary(_ op: String, _ attributes: [Attribute] = []) -> String { graph.op(op, [x], attributes, hint: hint) }
        let output: String
        switch name {
        case "linear", "identity":
            return value
        case "relu": output = unary("Relu")
        case "relu6": output = graph.op("Clip", [x, graph.scalar(0), graph.scalar(6)], hint: hint)
        case "sigmoid": output = unary("Sigmoid")
        case "hard_sigmoid":
            output = unary("HardSigmoid", hardSigmoidAttributes(kerasMajorVersion: call.kerasMajorVersion))
        case "tanh": output = unary("Tanh")
        case "softmax": output = unary("Softmax", [.int("axis", value.onnxAxis(-1))])
        case "log_softmax": output = unary("LogSoftmax", [.int("axis", value.onnxAxis(-1))])
        case "softplus": output = unary("Softplus")
        case "softsign": output = unary("Softsign")
        case "swish", "silu":
            let sigmoid = graph.op("Sigmoid", [x], hint: call.hint("\(name)/sigmoid"))
            output = graph.op("Mul", [x, sigmoid], hint: hint)
        case "hard_silu", "hard_swish":
            if graph.opset >= 14 {
                output = unary("HardSwish")
            } else {
                let gate = graph.op("HardSigmoid", [x], [.float("alpha", 1.0 / 6.0), .float("beta", 0.5)], hint: call.hint("\(name)/gate"))
                output = graph.op("Mul", [x, gate], hint: hint)
            }
        case "gelu": output = gelu(x, approximate: false, graph: graph, hint: hint)
        case "gelu_tanh", "gelu_approximate": output = gelu(x, approximate: true, graph: graph, hint: hint)
        case "elu": output = unary("Elu", [.float("alpha", 1)])
        case "selu": output = unary("Selu", [.float("alpha", 1.6732632423543772), .float("gamma", 1.0507009873554805)])
        case "exponential": output = unary("Exp")
        case "leaky_relu":
            output = unary("LeakyRelu", [.float("alpha", 0.2)])
        case "mish":
            let softplus = graph.op("Softplus", [x], hint: call.hint("mish/softplus"))
            let tanh = graph.op("Tanh", [softplus], hint: call.hint("mish/tanh"))
            output = graph.op("Mul", [x, tanh], hint: hint)
        case "celu": output = unary("Celu", [.float("alpha", 1)])
        case "glu": return try glu(value, axis: -1, call: call)
        case "hard_tanh": output = graph.op("Clip", [x, graph.scalar(-1), graph.scalar(1)], hint: hint)
        case "log_sigmoid":
            let softplus = graph.op("Softplus", [graph.op("Neg", [x], hint: "\(hint)/negated")], hint: "\(hint)/softplus")
            output = graph.op("Neg", [softplus], hint: hint)
        case "tanh_shrink": output = graph.op("Sub", [x, graph.op("Tanh", [x], hint: "\(hint)/tanh")], hint: hint)
        case "squareplus": output = squareplus(x, b: 4, graph: graph, hint: hint)
        case "sparse_plus": output = sparsePlus(x, graph: graph, hint: hint)
        case "sparse_sigmoid":
            let line = graph.op("Mul", [graph.op("Add", [x, graph.scalar(1)], hint: "\(hint)/shifted"), graph.scalar(0.5)], hint: "\(hint)/line")
            output = graph.op("Clip", [line, graph.scalar(0), graph.scalar(1)], hint: hint)
        case "hard_shrink": output = hardShrink(x, threshold: 0.5, graph: graph, hint: hint)
        case "soft_shrink": output = softShrink(x, threshold: 0.5, graph: graph, hint: hint)
        case "sparsemax": return try sparsemax(value, axis: -1, call: call)
        default:
            throw call.unsupported("activation '\(name)'", "use one of: \(supported.joined(separator: ", "))")
        }
        return value.with(name: output)
    }

    /// HardSigmoid's alpha and beta for the Keras that wrote the file.
    static func hardSigmoidAttributes(kerasMajorVersion: Int) -> [Attribute] {
        kerasMajorVersion >= 3
            ? [.float("alpha", 1.0 / 6.0), .float("beta", 0.5)]
            : [.float("alpha", 0.2), .float("beta", 0.5)]
    }

    /// 0.5·x·(1 + erf(x/√2)), or with `approximate` 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    static func gelu(_ x: String, approximate: Bool, graph: KerasGraphBuilder, hint: String) -> String {
        let inner: String
        if approximate {
            let cube = graph.op("Mul", [graph.op("Mul", [x, x], hint: "\(hint)/square"), x], hint: "\(hint)/cube")
            let sum = graph.op("Add", [x, graph.op("Mul", [cube, graph.scalar(0.044715)], hint: "\(hint)/scaled_cube")], hint: "\(hint)/sum")
            let scaled = graph.op("Mul", [sum, graph.scalar(Float((2.0 / Double.pi).squareRoot()))], hint: "\(hint)/scaled")
            inner = graph.op("Tanh", [scaled], hint: "\(hint)/tanh")
        } else {
            let scaled = graph.op("Div", [x, graph.scalar(Float(2.0.squareRoot()))], hint: "\(hint)/scaled")
            inner = graph.op("Erf", [scaled], hint: "\(hint)/erf")
        }
        let onePlus = graph.op("Add", [inner, graph.scalar(1)], hint: "\(hint)/one_plus")
        let half = graph.op("Mul", [x, graph.scalar(0.5)], hint: "\(hint)/half")
        return graph.op("Mul", [half, onePlus], hint: hint)
    }

    /// glu: the first half of `axis` times the sigmoid of the second half.
    static func glu(_ input: KerasValue, axis: Int, call: KerasLayerCall) throws(KerasImportError) -> KerasValue {
        var value = input
        if case .flattenedChannelsFirst = value.layout { value = call.graph.nativeValue(value) }
        let kerasAxis = try call.axis(axis, rank: value.rank)
        guard let size = value.shape[kerasAxis], size % 2 == 0 else {
            throw call.invalid("glu needs an even, known size on axis \(axis), got \(value.shape)")
        }
        let graph = call.graph
        let onnxAxis = graph.int64s([value.onnxAxis(kerasAxis)])
        let half = size / 2
        let first = graph.op("Slice", [value.name, graph.int64s([0]), graph.int64s([half]), onnxAxis], hint: call.hint("glu/first"))
        let second = graph.op("Slice", [value.name, graph.int64s([half]), graph.int64s([size]), onnxAxis], hint: call.hint("glu/second"))
        let output = graph.op("Mul", [first, graph.op("Sigmoid", [second], hint: call.hint("glu/gate"))], hint: call.hint("glu"))
        var shape = value.shape
        shape[kerasAxis] = half
        return value.with(name: output, shape: shape)
    }

    /// squareplus: (x + √(x² + b)) / 2.
    static func squareplus(_ x: String, b: Float, graph: KerasGraphBuilder, hint: String) -> String {
        let square = graph.op("Mul", [x, x], hint: "\(hint)/square")
        let root = graph.op("Sqrt", [graph.op("Add", [square, graph.scalar(b)], hint: "\(hint)/plus_b")], hint: "\(hint)/sqrt")
        return graph.op("Div", [graph.op("Add", [x, root], hint: "\(hint)/sum"), graph.scalar(2)], hint: hint)
    }

    /// sparse_plus: 0 for x ≤ -1, (x + 1)²/4 for -1 < x < 1, x for x ≥ 1.
    static func sparsePlus(_ x: String, graph: KerasGraphBuilder, hint: String) -> String {
        let shifted = graph.op("Add", [x, graph.scalar(1)], hint: "\(hint)/shifted")
        let quadratic = graph.op("Mul", [graph.op("Mul", [shifted, shifted], hint: "\(hint)/square"), graph.scalar(0.25)], hint: "\(hint)/quadratic")
        let upper = graph.op("Where", [graph.op("Less", [x, graph.scalar(1)], hint: "\(hint)/below_one"), quadratic, x], hint: "\(hint)/upper")
        return graph.op("Where", [graph.op("LessOrEqual", [x, graph.scalar(-1)], hint: "\(hint)/at_most_minus_one"), graph.scalar(0), upper],
                        hint: hint)
    }

    /// hard_shrink: x where |x| > threshold, else 0.
    static func hardShrink(_ x: String, threshold: Float, graph: KerasGraphBuilder, hint: String) -> String {
        let outside = graph.op("Greater", [graph.op("Abs", [x], hint: "\(hint)/abs"), graph.scalar(threshold)], hint: "\(hint)/outside")
        return graph.op("Where", [outside, x, graph.scalar(0)], hint: hint)
    }

    /// soft_shrink: x - threshold above threshold, x + threshold below -threshold, else 0.
    static func softShrink(_ x: String, threshold: Float, graph: KerasGraphBuilder, hint: String) -> String {
        let below = graph.op("Where", [graph.op("Less", [x, graph.scalar(-threshold)], hint: "\(hint)/below"),
                                       graph.op("Add", [x, graph.scalar(threshold)], hint: "\(hint)/raised"), graph.scalar(0)], hint: "\(hint)/lower")
        return graph.op("Where", [graph.op("Greater", [x, graph.scalar(threshold)], hint: "\(hint)/above"),
                                  graph.op("Sub", [x, graph.scalar(threshold)], hint: "\(hint)/lowered"), below], hint: hint)
    }

    /// sparsemax as Keras 3 computes it on TensorFlow: logits sorted in descending order, support
    /// z_(i) − (cumsum_i − 1)/i > 0, τ = (Σ over the support of cumsum_i − 1)/k, output max(x − τ, 0).
    static func sparsemax(_ value: KerasValue, axis: Int, call: KerasLayerCall) throws(KerasImportError) -> KerasValue {
        let kerasAxis = try call.axis(axis, rank: value.rank)
        guard let size = value.shape[kerasAxis], size > 0 else { throw call.unsupported("sparsemax over an axis of unknown size", "fix that axis's size") }
        let graph = call.graph
        let onnxAxis = value.onnxAxis(kerasAxis)
        let x = value.name
        let hint = call.hint("sparsemax")
        let sorted = graph.add("TopK", [x, graph.int64s([size])], [.int("axis", onnxAxis), .int("largest", 1), .int("sorted", 1)],
                               hint: "\(hint)/sorted", outputs: 2)[0]
        let cumsum = graph.op("CumSum", [sorted, graph.initializer("\(call.scopedName)/sparsemax_axis", Tensor(name: "", scalar: Int64(onnxAxis)))],
                              hint: "\(hint)/cumsum")
        var rankShape = Array(repeating: 1, count: value.rank)
        rankShape[onnxAxis] = size
        let ranks = try graph.floats("\(call.scopedName)/sparsemax_ranks", (1...size).map { Float($0) }, shape: rankShape)
        let bound = graph.op("Div", [graph.op("Sub", [cumsum, graph.scalar(1)], hint: "\(hint)/cumsum_minus_one"), ranks], hint: "\(hint)/bound")
        let support = graph.op("Greater", [graph.op("Sub", [sorted, bound], hint: "\(hint)/margin"), graph.scalar(0)], hint: "\(hint)/support")
        let kept = graph.op("Where", [support, cumsum, graph.scalar(0)], hint: "\(hint)/kept_cumsum")
        let count = graph.reduce("ReduceSum", graph.op("Cast", [support], [.int("to", Int(DataType.float.rawValue))], hint: "\(hint)/support_float"),
                                 axes: [onnxAxis], keepDims: true, hint: "\(hint)/k")
        let total = graph.reduce("ReduceSum", kept, axes: [onnxAxis], keepDims: true, hint: "\(hint)/kept_sum")
        let tau = graph.op("Div", [graph.op("Sub", [total, graph.scalar(1)], hint: "\(hint)/kept_sum_minus_one"), count], hint: "\(hint)/tau")
        let output = graph.op("Max", [graph.op("Sub", [x, tau], hint: "\(hint)/shifted"), graph.scalar(0)], hint: hint)
        return value.with(name: output)
    }

    /// The ONNX recurrent activation name and its alpha/beta for a Keras activation inside an RNN.
    static func recurrent(_ activation: KerasJSON?, default fallback: String, call: KerasLayerCall) throws(KerasImportError) -> (name: String, alpha: Float?, beta: Float?) {
        let name = activation.flatMap { self.name(of: $0) } ?? fallback
        switch name {
        case "tanh": return ("Tanh", nil, nil)
        case "sigmoid": return ("Sigmoid", nil, nil)
        case "relu": return ("Relu", nil, nil)
        case "linear": return ("Affine", 1, 0)
        case "softsign": return ("Softsign", nil, nil)
        case "softplus": return ("Softplus", nil, nil)
        case "elu": return ("Elu", 1, nil)
        case "hard_sigmoid":
            return call.kerasMajorVersion >= 3 ? ("HardSigmoid", 1.0 / 6.0, 0.5) : ("HardSigmoid", 0.2, 0.5)
        default:
            throw call.unsupported("recurrent activation '\(name)'",
                                   "use tanh, sigmoid, hard_sigmoid, relu, linear, softsign, softplus or elu")
        }
    }
}
