import ModelIR

/// `Concatenate` along `axis` (default the last), in the inputs' common layout.
enum ConcatenateMapper: KerasLayerMapper {
    static let classNames = ["Concatenate"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let inputs = MergeMapper.commonLayout(call.inputs, graph: call.graph)
        guard let first = inputs.first else { throw call.invalid("has no inputs") }
        let axis = try call.int("axis", default: -1)
        let kerasAxis = axis < 0 ? axis + first.rank : axis
        guard kerasAxis >= 1, kerasAxis < first.rank else { throw call.invalid("axis \(axis) does not fit the inputs \(first.shape)") }
        let output = call.graph.op("Concat", inputs.map(\.name), [.int("axis", first.onnxAxis(kerasAxis))], hint: call.hint("Concat"))
        var shape = first.shape
        shape[kerasAxis] = inputs.reduce(Optional(0)) { total, input in total.flatMap { t in input.shape[kerasAxis].map { t + $0 } } }
        return [first.with(name: output, shape: shape)]
    }
}
