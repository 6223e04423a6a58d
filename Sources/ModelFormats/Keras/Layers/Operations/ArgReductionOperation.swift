import ModelIR

/// `keras.ops.argmax` and `keras.ops.argmin` along a given axis (the first index on ties), with
/// `keepdims`, as int32 like Keras's.
enum ArgReductionOperationMapper: KerasLayerMapper {
    static let classNames = ["Argmax", "Argmin"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let input) = try call.operand(0, keyword: "x") else { throw call.unsupported("a constant argument", "reduce a tensor") }
        let graph = call.graph
        let x = graph.nativeValue(input)
        guard let rawAxis = call.parameter("axis", position: 1)?.int else {
            throw call.unsupported("\(call.className.lowercased()) without an axis (which flattens the batch)", "give an axis")
        }
        let axis = try call.axis(rawAxis, rank: x.rank)
        let keepDims = call.parameter("keepdims", position: 2)?.bool ?? false
        let op = call.className == "Argmax" ? "ArgMax" : "ArgMin"
        let indices = graph.op(op, [x.name], [.int("axis", axis), .int("keepdims", keepDims ? 1 : 0), .int("select_last_index", 0)],
                               hint: call.hint(op))
        let output = graph.op("Cast", [indices], [.int("to", Int(DataType.int32.rawValue))], hint: call.hint("int32"))
        var shape = x.shape
        if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
        return [KerasValue(name: output, shape: shape, layout: .native, dataType: .int32)]
    }
}
