import ModelIR

/// The `keras.ops` comparisons and logical operations (boolean results, as the `NotEqual` node
/// Keras 3 writes for `Embedding(mask_zero=True)`), and `ops.where(condition, x1, x2)`.
enum ComparisonOperationMapper: KerasLayerMapper {
    static let classNames = ["Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual", "LogicalAnd", "LogicalOr", "LogicalXor",
                             "LogicalNot", "Where"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let graph = call.graph
        switch call.className {
        case "LogicalNot":
            guard case .tensor(let x) = try call.operand(0, keyword: "x") else { throw call.unsupported("a constant argument", "negate a tensor") }
            let output = graph.op("Not", [asBool(x, call: call, suffix: "x")], hint: call.hint("Not"))
            return [x.with(name: output, shape: x.shape).typed(.bool)]
        case "Where":
            guard case .tensor(let condition) = try call.operand(0, keyword: "condition") else {
                throw call.unsupported("a constant condition", "select with a tensor condition")
            }
            let pair = try ElementwiseBinaryOperationMapper.operands(call.operand(1, keyword: "x1"), call.operand(2, keyword: "x2"), call: call)
            let native = pair.result.layout == .native
            let mask = native ? graph.native(condition) : graph.channelsFirst(condition)
            let output = graph.op("Where", [asBool(condition.with(name: mask), call: call, suffix: "condition"), pair.left, pair.right],
                                  hint: call.hint("Where"))
            return [pair.result.with(name: output, shape: MergeMapper.broadcastShape([condition.shape, pair.result.shape]))]
        default:
            let pair = try ElementwiseBinaryOperationMapper.operands(call.operand(0, keyword: "x1"), call.operand(1, keyword: "x2"), call: call)
            var left = pair.left, right = pair.right
            let op: String
            switch call.className {
            case "Equal", "NotEqual": op = "Equal"
            case "Greater": op = "Greater"
            case "GreaterEqual": op = "GreaterOrEqual"
            case "Less": op = "Less"
            case "LessEqual": op = "LessOrEqual"
            case "LogicalAnd": op = "And"
            case "LogicalOr": op = "Or"
            default: op = "Xor"
            }
            if call.className.hasPrefix("Logical") {
                left = asBool(pair.result.with(name: left), call: call, suffix: "x1")
                right = asBool(pair.result.with(name: right), call: call, suffix: "x2")
            }
            var output = graph.op(op, [left, right], hint: call.hint(op))
            if call.className == "NotEqual" { output = graph.op("Not", [output], hint: call.hint("Not")) }
            return [pair.result.with(name: output).typed(.bool)]
        }
    }

    private static func asBool(_ value: KerasValue, call: KerasLayerCall, suffix: String) -> String {
        value.dataType == .bool ? value.name
            : call.graph.op("Cast", [value.name], [.int("to", Int(DataType.bool.rawValue))], hint: call.hint("bool_\(suffix)"))
    }
}

extension KerasValue {
    /// The same value with another element type.
    func typed(_ type: DataType) -> KerasValue {
        KerasValue(name: name, shape: shape, layout: layout, dataType: type)
    }
}
