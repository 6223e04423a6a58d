import ModelIR

/// `keras.ops.concatenate` and `keras.ops.stack` of a list of tensors along `axis`; concatenation
/// keeps a layout the inputs share.
enum JoinOperationMapper: KerasLayerMapper {
    static let classNames = ["Concatenate", "Stack"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let tensors = call.inputs
        guard let listArgument = call.arguments.positional.first, case .list(let items) = listArgument, items.count == tensors.count, !tensors.isEmpty else {
            throw call.unsupported("arguments other than a list of tensors", "join tensors only (turn constants into layer weights)")
        }
        let graph = call.graph
        let rawAxis = call.parameter("axis", position: 1)?.int ?? 0
        if call.className == "Concatenate" {
            let inputs = MergeMapper.commonLayout(tensors, graph: graph)
            let first = inputs[0]
            guard inputs.allSatisfy({ $0.rank == first.rank }) else { throw call.invalid("joins tensors of different ranks") }
            let axis = try call.axis(rawAxis, rank: first.rank)
            let output = graph.op("Concat", inputs.map(\.name), [.int("axis", first.onnxAxis(axis))], hint: call.hint("Concat"))
            var shape = first.shape
            shape[axis] = inputs.reduce(Optional(0)) { total, input in total.flatMap { t in input.shape[axis].map { t + $0 } } }
            if axis == 0 { shape[0] = nil }
            return [first.with(name: output, shape: shape)]
        }
        let inputs = tensors.map { graph.nativeValue($0) }
        let first = inputs[0]
        let axis = try call.axis(rawAxis, rank: first.rank + 1)
        let expanded = inputs.enumerated().map { index, value in graph.unsqueeze(value.name, axes: [axis], hint: call.hint("expand_\(index)")) }
        let output = graph.op("Concat", expanded, [.int("axis", axis)], hint: call.hint("Stack"))
        var shape = first.shape
        shape.insert(inputs.count, at: axis)
        if axis == 0 { shape[0] = nil }
        return [first.with(name: output, shape: shape)]
    }
}
