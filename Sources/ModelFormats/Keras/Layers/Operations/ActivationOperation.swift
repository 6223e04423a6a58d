import ModelIR

/// Activation functions called on symbolic tensors: the `keras.ops.nn` operations (`ops.relu`,
/// `ops.gelu(x, approximate=…)`, `ops.softmax(x, axis=…)`, …) and `keras.activations.relu` / `mish`,
/// with Keras's definitions (`KerasActivation`).
enum ActivationOperationMapper: KerasLayerMapper {
    static let classNames = ["Relu", "Relu6", "Sigmoid", "Softplus", "Softsign", "Silu", "HardSigmoid", "HardSilu", "LeakyRelu", "Elu",
                             "Selu", "Gelu", "Celu", "Softmax", "LogSoftmax", "ReLU", "Mish"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let x) = try call.operand(0, keyword: "x") else {
            throw call.unsupported("a constant argument", "apply \(call.className) to a tensor")
        }
        let graph = call.graph
        switch call.className {
        case "ReLU":
            return try ReLUMapper.convert(call)
        case "LeakyRelu":
            let slope = Float(call.parameter("negative_slope")?.double ?? 0.2)
            return [x.with(name: graph.op("LeakyRelu", [x.name], [.float("alpha", slope)], hint: call.hint("LeakyRelu")))]
        case "Elu", "Celu":
            let alpha = Float(call.parameter("alpha")?.double ?? 1)
            return [x.with(name: graph.op(call.className, [x.name], [.float("alpha", alpha)], hint: call.hint(call.className)))]
        case "Gelu":
            let approximate = call.parameter("approximate")?.bool ?? true
            return [x.with(name: KerasActivation.gelu(x.name, approximate: approximate, graph: graph, hint: call.hint("Gelu")))]
        case "Softmax", "LogSoftmax":
            let axes = call.parameter("axis")?.ints ?? [-1]
            guard axes.count == 1 else { throw call.unsupported("axis=\(axes)", "use a single softmax axis") }
            let axis = try call.axis(axes[0], rank: x.rank)
            return [x.with(name: graph.op(call.className, [x.name], [.int("axis", x.onnxAxis(axis))], hint: call.hint(call.className)))]
        default:
            let names = ["Relu": "relu", "Relu6": "relu6", "Sigmoid": "sigmoid", "Softplus": "softplus", "Softsign": "softsign",
                         "Silu": "silu", "HardSigmoid": "hard_sigmoid", "HardSilu": "hard_silu", "Selu": "selu", "Mish": "mish"]
            guard let name = names[call.className] else { throw call.invalid("has no activation mapping") }
            return [try KerasActivation.apply(named: name, to: x, call: call)]
        }
    }
}
