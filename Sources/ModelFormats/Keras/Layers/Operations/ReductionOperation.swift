import ModelIR

/// The `keras.ops` reductions over `axis` (all axes when it is None) with `keepdims`: mean, sum,
/// max, min, prod, var, std, logsumexp, and the logical any and all (boolean results), in Keras's layout.
enum ReductionOperationMapper: KerasLayerMapper {
    static let classNames = ["Mean", "Sum", "Max", "Amax", "Min", "Amin", "Prod", "Var", "Std", "Logsumexp", "Any", "All"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let input) = try call.operand(0, keyword: "x") else {
            throw call.unsupported("a constant argument", "reduce a tensor")
        }
        let graph = call.graph
        var x = graph.nativeValue(input)
        let axes = try call.axesParameter(rank: x.rank, position: 1) ?? Array(0..<x.rank)
        let keepDims = call.parameter("keepdims", position: 2)?.bool ?? false
        if ["Mean", "Var", "Std", "Logsumexp"].contains(call.className), !x.dataType.isFloatingPoint {
            x = ElementwiseBinaryOperationMapper.cast(x, to: .float, call: call, suffix: "x")
        }
        if ["Max", "Min", "Amax", "Amin"].contains(call.className), call.parameter("initial") != nil {
            throw call.unsupported("initial=", "reduce without an initial value")
        }
        let output: String
        switch call.className {
        case "Any", "All":
            var flags = x.name
            if x.dataType != .bool {
                let zero = try call.constantTensor(KerasConstant(values: [0], shape: [], isFloat: false), as: x.dataType, what: "zero")
                flags = graph.op("Not", [graph.op("Equal", [x.name, zero], hint: call.hint("is_zero"))], hint: call.hint("nonzero"))
            }
            output = graph.logicalReduce(call.className == "Any" ? "ReduceMax" : "ReduceMin", flags, axes: axes, keepDims: keepDims,
                                         hint: call.hint(call.className))
        case "Mean": output = graph.reduce("ReduceMean", x.name, axes: axes, keepDims: keepDims, hint: call.hint("ReduceMean"))
        case "Sum": output = graph.reduce("ReduceSum", x.name, axes: axes, keepDims: keepDims, hint: call.hint("ReduceSum"))
        case "Max", "Amax": output = graph.reduce("ReduceMax", x.name, axes: axes, keepDims: keepDims, hint: call.hint("ReduceMax"))
        case "Min", "Amin": output = graph.reduce("ReduceMin", x.name, axes: axes, keepDims: keepDims, hint: call.hint("ReduceMin"))
        case "Prod": output = graph.reduce("ReduceProd", x.name, axes: axes, keepDims: keepDims, hint: call.hint("ReduceProd"))
        case "Logsumexp":
            let peak = graph.reduce("ReduceMax", x.name, axes: axes, keepDims: true, hint: call.hint("peak"))
            let shifted = graph.op("Exp", [graph.op("Sub", [x.name, peak], hint: call.hint("shifted"))], hint: call.hint("exp"))
            let sum = graph.reduce("ReduceSum", shifted, axes: axes, keepDims: true, hint: call.hint("sum"))
            var result = graph.op("Add", [graph.op("Log", [sum], hint: call.hint("log")), peak], hint: call.hint("Logsumexp"))
            if !keepDims { result = graph.squeeze(result, axes: axes, hint: call.hint("squeeze")) }
            output = result
        default:
            let mean = graph.reduce("ReduceMean", x.name, axes: axes, keepDims: true, hint: call.hint("mean"))
            let centered = graph.op("Sub", [x.name, mean], hint: call.hint("centered"))
            let square = graph.op("Mul", [centered, centered], hint: call.hint("square"))
            var result = graph.reduce("ReduceMean", square, axes: axes, keepDims: keepDims, hint: call.hint("Var"))
            if call.className == "Std" { result = graph.op("Sqrt", [result], hint: call.hint("Std")) }
            output = result
        }
        var shape: [Int?] = []
        for (axis, size) in x.shape.enumerated() {
            if axes.contains(axis) {
                if keepDims { shape.append(1) }
            } else {
                shape.append(size)
            }
        }
        let isLogical = ["Any", "All"].contains(call.className)
        return [KerasValue(name: output, shape: shape, layout: .native, dataType: isLogical ? .bool : x.dataType)]
    }
}
