import ModelIR

/// The `keras.ops` element-wise binary operations (`x + 3.0`, `x * y`, `ops.maximum(x, 0.0)`), on
/// two tensors or a tensor and a constant, with NumPy broadcasting. A scalar constant keeps the
/// tensor's layout, as does a per-channel vector on a channels-first value.
enum ElementwiseBinaryOperationMapper: KerasLayerMapper {
    static let classNames = ["Add", "Subtract", "Multiply", "Divide", "TrueDivide", "Power", "Maximum", "Minimum"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        if call.arguments.positional.count == 1, case .list = call.arguments.positional[0], MergeMapper.classNames.contains(call.className) {
            // A list of tensors, as the merge layer of the same name takes them.
            return try MergeMapper.convert(call)
        }
        let pair = try operands(call.operand(0, keyword: "x1"), call.operand(1, keyword: "x2"), call: call,
                                forceFloat: ["Divide", "TrueDivide"].contains(call.className))
        let op: String
        switch call.className {
        case "Add": op = "Add"
        case "Subtract": op = "Sub"
        case "Multiply": op = "Mul"
        case "Power": op = "Pow"
        case "Maximum": op = "Max"
        case "Minimum": op = "Min"
        default: op = "Div"
        }
        let output = call.graph.op(op, [pair.left, pair.right], hint: call.hint(op))
        return [pair.result.with(name: output)]
    }

    /// Both operands as ONNX values of one element type and layout, and the result's Keras value
    /// (without its ONNX name yet).
    static func operands(_ a: KerasOperand, _ b: KerasOperand, call: KerasLayerCall,
                         forceFloat: Bool = false) throws(KerasImportError) -> (left: String, right: String, result: KerasValue) {
        let graph = call.graph
        switch (a, b) {
        case let (.tensor(x), .tensor(y)):
            var values = MergeMapper.commonLayout([x, y], graph: graph)
            let floatType: DataType = values.first { $0.dataType.isFloatingPoint }?.dataType ?? .float
            let common = forceFloat || values[0].dataType != values[1].dataType ? floatType : values[0].dataType
            for index in values.indices where values[index].dataType != common {
                values[index] = cast(values[index], to: common, call: call, suffix: "\(index)")
            }
            let shape = MergeMapper.broadcastShape([values[0].shape, values[1].shape])
            let result = KerasValue(name: "", shape: shape, layout: values[0].layout, dataType: common)
            return (values[0].name, values[1].name, result)
        case let (.tensor(x), .constant(c)):
            let (tensor, constant, result) = try withConstant(x, c, call: call, forceFloat: forceFloat)
            return (tensor, constant, result)
        case let (.constant(c), .tensor(x)):
            let (tensor, constant, result) = try withConstant(x, c, call: call, forceFloat: forceFloat)
            return (constant, tensor, result)
        case (.constant, .constant):
            throw call.unsupported("an operation on two constants", "compute the constant in Python before building the model")
        }
    }

    private static func withConstant(_ x: KerasValue, _ constant: KerasConstant, call: KerasLayerCall,
                                     forceFloat: Bool) throws(KerasImportError) -> (String, String, KerasValue) {
        var value = x
        if !value.dataType.isFloatingPoint, forceFloat || constant.isFloat {
            value = cast(call.graph.nativeValue(value), to: .float, call: call, suffix: "x")
        }
        var shaped = constant
        if constant.count == 1 {
            shaped.shape = []
        } else if value.layout == .channelsFirst, constant.shape.count == 1, constant.shape[0] == value.shape.last ?? nil, value.rank >= 3 {
            shaped.shape = [constant.shape[0]] + Array(repeating: 1, count: value.rank - 2)
        } else {
            value = call.graph.nativeValue(value)
        }
        let name = try call.constantTensor(shaped, as: value.dataType, what: "constant")
        let shape = shaped.shape.isEmpty || value.layout == .channelsFirst
            ? value.shape : MergeMapper.broadcastShape([value.shape, constant.shape.map { Optional($0) }])
        return (value.name, name, value.with(name: "", shape: shape))
    }

    static func cast(_ value: KerasValue, to type: DataType, call: KerasLayerCall, suffix: String) -> KerasValue {
        let output = call.graph.op("Cast", [value.name], [.int("to", Int(type.rawValue))], hint: call.hint("cast_\(suffix)"))
        return KerasValue(name: output, shape: value.shape, layout: value.layout, dataType: type)
    }
}
