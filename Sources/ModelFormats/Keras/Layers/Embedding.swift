import ModelIR

/// `Embedding`: Gather rows of the embedding matrix by token id; with `mask_zero` the output
/// carries Keras's implicit mask (ids ≠ 0), which MultiHeadAttention applies.
enum EmbeddingMapper: KerasLayerMapper {
    static let classNames = ["Embedding"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        try call.requireWeights(1)
        return [try lookup(call)]
    }

    /// The rows of the layer's first weight, [input_dim, output_dim], at the input's ids.
    static func lookup(_ call: KerasLayerCall) throws(KerasImportError) -> KerasValue {
        let x = call.graph.nativeValue(try call.input())
        let table = try call.weight(0, "embeddings")
        guard table.shape.count == 2 else { throw call.invalid("embeddings has shape \(table.shape), expected [input_dim, output_dim]") }
        var indices = x.name
        if x.dataType != .int32, x.dataType != .int64 {
            indices = call.graph.op("Cast", [x.name], [.int("to", Int(DataType.int64.rawValue))], hint: call.hint("Cast"))
        }
        let output = call.graph.op("Gather", [try call.constant("embeddings", table), indices], [.int("axis", 0)], hint: call.hint("Gather"))
        var value = KerasValue(name: output, shape: x.shape + [table.shape[1]], layout: .native, dataType: .float)
        if call.bool("mask_zero", default: false) {
            let zero = try call.constantTensor(KerasConstant(values: [0], shape: [], isFloat: false), as: x.dataType, what: "padding_id")
            value.keptSteps = call.graph.op("Not", [call.graph.op("Equal", [x.name, zero], hint: call.hint("padding"))], hint: call.hint("kept_steps"))
        }
        return value
    }
}
