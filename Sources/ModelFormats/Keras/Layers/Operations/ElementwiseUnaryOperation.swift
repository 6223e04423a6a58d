import ModelIR

/// The `keras.ops` element-wise functions of one tensor (`ops.sqrt`, `ops.exp`, `ops.clip`, …),
/// in whatever layout the tensor has.
enum ElementwiseUnaryOperationMapper: KerasLayerMapper {
    static let classNames = ["Negative", "Absolute", "Abs", "Sqrt", "Square", "Exp", "Expm1", "Log", "Log1p", "Tanh", "Sin", "Cos",
                             "Floor", "Ceil", "Round", "Reciprocal", "Sign", "Rsqrt", "Erf", "Clip"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(var x) = try call.operand(0, keyword: "x") else {
            throw call.unsupported("a constant argument", "apply \(call.className) to a tensor")
        }
        let graph = call.graph
        let floatOnly: Set<String> = ["Sqrt", "Exp", "Expm1", "Log", "Log1p", "Tanh", "Sin", "Cos", "Reciprocal", "Rsqrt", "Erf"]
        if floatOnly.contains(call.className), !x.dataType.isFloatingPoint {
            x = ElementwiseBinaryOperationMapper.cast(x, to: .float, call: call, suffix: "x")
        }
        let one = try call.constantTensor(KerasConstant(values: [1], shape: [], isFloat: true), as: x.dataType, what: "one")
        func unary(_ op: String, _ input: String = x.name) -> String { graph.op(op, [input], hint: call.hint(op)) }
        let output: String
        switch call.className {
        case "Negative": output = unary("Neg")
        case "Absolute", "Abs": output = unary("Abs")
        case "Square": output = graph.op("Mul", [x.name, x.name], hint: call.hint("Square"))
        case "Expm1": output = graph.op("Sub", [unary("Exp"), one], hint: call.hint("Expm1"))
        case "Log1p": output = unary("Log", graph.op("Add", [x.name, one], hint: call.hint("one_plus")))
        case "Rsqrt": output = unary("Reciprocal", unary("Sqrt"))
        case "Round":
            guard (try? call.int("decimals", default: 0)) == 0 else { throw call.unsupported("decimals other than 0", "round to integers") }
            output = unary("Round")
        case "Clip":
            guard let low = call.parameter("x_min", position: 1).flatMap(KerasConstant.init),
                  let high = call.parameter("x_max", position: 2).flatMap(KerasConstant.init), low.count == 1, high.count == 1 else {
                throw call.unsupported("clip bounds that are not numbers", "clip to constant bounds")
            }
            output = graph.op("Clip", [x.name, try call.constantTensor(low, as: x.dataType, what: "min"),
                                       try call.constantTensor(high, as: x.dataType, what: "max")], hint: call.hint("Clip"))
        default: output = unary(call.className)
        }
        return [x.with(name: output)]
    }
}

extension KerasConstant {
    init(values: [Double], shape: [Int], isFloat: Bool) {
        self.values = values
        self.shape = shape
        self.isFloat = isFloat
    }
}
