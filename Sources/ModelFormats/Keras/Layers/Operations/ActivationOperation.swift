import ModelIR

/// Activation functions called on symbolic tensors: the `keras.ops.nn` operations (`ops.relu`,
/// `ops.gelu(x, approximate=…)`, `ops.softmax(x, axis=…)`, `ops.glu(x, axis=…)`, `ops.soft_shrink(x,
/// threshold=…)`, `ops.threshold(x, threshold, default_value)`, …) and `keras.activations.relu` / `mish`,
/// with Keras's definitions (`KerasActivation`).
enum ActivationOperationMapper: KerasLayerMapper {
    static let classNames = ["Relu", "Relu6", "Sigmoid", "Softplus", "Softsign", "Silu", "HardSigmoid", "HardSilu", "LeakyRelu", "Elu",
                             "Selu", "Gelu", "Celu", "Softmax", "LogSoftmax", "ReLU", "Mish", "Glu", "HardTanh", "LogSigmoid",
                             "TanhShrink", "Squareplus", "SparsePlus", "SparseSigmoid", "HardShrink", "SoftShrink", "Sparsemax", "Threshold"]

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
        case "Glu", "Sparsemax":
            guard let axis = (call.parameter("axis") ?? .number(-1)).int else { throw call.unsupported("a non-integer axis", "give one integer axis") }
            return [call.className == "Glu" ? try KerasActivation.glu(x, axis: axis, call: call) : try KerasActivation.sparsemax(x, axis: axis, call: call)]
        case "Squareplus":
            let b = Float(call.parameter("b")?.double ?? 4)
            return [x.with(name: KerasActivation.squareplus(x.name, b: b, graph: graph, hint: call.hint("Squareplus")))]
        case "HardShrink", "SoftShrink":
            let threshold = Float(call.parameter("threshold")?.double ?? 0.5)
            let output = call.className == "HardShrink"
                ? KerasActivation.hardShrink(x.name, threshold: threshold, graph: graph, hint: call.hint("HardShrink"))
                : KerasActivation.softShrink(x.name, threshold: threshold, graph: graph, hint: call.hint("SoftShrink"))
            return [x.with(name: output)]
        case "Threshold":
            guard let threshold = call.parameter("threshold", position: 1)?.double, let fill = call.parameter("default_value", position: 2)?.double else {
                throw call.unsupported("a threshold or default_value that is not a number", "give constant numbers")
            }
            let above = graph.op("Greater", [x.name, graph.scalar(Float(threshold))], hint: call.hint("above"))
            return [x.with(name: graph.op("Where", [above, x.name, graph.scalar(Float(fill))], hint: call.hint("Threshold")))]
        default:
            let names = ["Relu": "relu", "Relu6": "relu6", "Sigmoid": "sigmoid", "Softplus": "softplus", "Softsign": "softsign",
                         "Silu": "silu", "HardSigmoid": "hard_sigmoid", "HardSilu": "hard_silu", "Selu": "selu", "Mish": "mish",
                         "HardTanh": "hard_tanh", "LogSigmoid": "log_sigmoid", "TanhShrink": "tanh_shrink", "SparsePlus": "sparse_plus",
                         "SparseSigmoid": "sparse_sigmoid"]
            guard let name = names[call.className] else { throw call.invalid("has no activation mapping") }
            return [try KerasActivation.apply(named: name, to: x, call: call)]
        }
    }
}
