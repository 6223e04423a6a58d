import ModelIR

/// Keras activation functions as ONNX nodes, with Keras's own definitions (Keras 3's
/// hard_sigmoid is relu6(x + 3) / 6, tf.keras 2's was clip(0.2·x + 0.5, 0, 1)).
enum KerasActivation {
    static let supported = ["linear", "relu", "relu6", "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax",
                            "softplus", "softsign", "swish", "silu", "hard_silu", "hard_swish", "gelu",
                            "gelu (approximate, registered as gelu_tanh)", "elu", "selu", "exponential",
                            "leaky_relu", "mish"]

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
