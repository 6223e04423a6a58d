import ModelIR

/// KerasHub's `PositionEmbedding` and `TokenAndPositionEmbedding`.
///
/// `PositionEmbedding` returns the first T rows of its [sequence_length, features] table (T the
/// input's length on axis −2, from a constant `start_index`), broadcast to the input's shape; the
/// input's values are not used. `TokenAndPositionEmbedding` adds the position embedding of the
/// token embeddings to them; the token embedding is a ReversibleEmbedding (`tie_weights`,
/// `mask_zero`, whose implicit mask the output carries). A `positions` tensor is refused.
enum PositionEmbeddingMapper: KerasLayerMapper {
    static let classNames = ["keras_hub>PositionEmbedding", "keras_hub>TokenAndPositionEmbedding"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        if call.className == "keras_hub>PositionEmbedding" {
            try call.requireWeights(1)
            return [try positions(of: call.graph.nativeValue(try call.input()), table: try call.weight(0, "embeddings"), call: call)]
        }
        let tied = call.bool("tie_weights", default: true)
        let parts = try call.sublayerWeights([("token_embedding", tied ? 1 : 2), ("position_embedding", 1)])
        let tokenCall = call.sublayer("ReversibleEmbedding", suffix: "token_embedding",
                                      config: ["mask_zero": .bool(call.bool("mask_zero", default: false)), "tie_weights": .bool(tied)],
                                      weights: parts[0], arguments: call.arguments)
        let tokens = try EmbeddingMapper.lookup(tokenCall)
        let positionCall = call.sublayer("keras_hub>PositionEmbedding", suffix: "position_embedding", config: [:], weights: parts[1],
                                         arguments: KerasCallArguments(positional: [.tensor(tokens)]))
        let table = try positionCall.weight(0, "position_embedding/embeddings")
        let position = try positions(of: tokens, table: table, call: positionCall)
        return [tokens.with(name: call.graph.op("Add", [tokens.name, position.name], hint: call.hint("sum")))]
    }

    /// The rows of `table` for the positions of `x` (axis −2), broadcast to `x`'s shape.
    static func positions(of x: KerasValue, table: KerasArray, call: KerasLayerCall) throws(KerasImportError) -> KerasValue {
        guard x.rank >= 2, table.shape.count == 2, x.shape.last == table.shape[1] else {
            throw call.invalid("the position table \(table.shape) does not fit an input of shape \(x.shape)")
        }
        let start = call.keywordConstant("start_index")?.int ?? 0
        let graph = call.graph
        let rows: String
        if let length = x.shape[x.rank - 2] {
            guard start >= 0, start + length <= table.shape[0] else {
                throw call.invalid("positions \(start)..<\(start + length) are beyond the table's \(table.shape[0]) rows")
            }
            let width = table.shape[1]
            rows = try call.constant("position_rows", KerasArray(shape: [length, width],
                                                                  values: Array(table.values[(start * width)..<((start + length) * width)])))
        } else {
            let length = graph.op("Slice", [graph.op("Shape", [x.name], hint: call.hint("shape")), graph.int64s([x.rank - 2]), graph.int64s([x.rank - 1])],
                                  hint: call.hint("length"))
            let end = graph.op("Add", [length, graph.int64s([start])], hint: call.hint("end"))
            rows = graph.op("Slice", [try call.constant("embeddings", table), graph.int64s([start]), end, graph.int64s([0])],
                            hint: call.hint("position_rows"))
        }
        let output = graph.op("Expand", [rows, graph.op("Shape", [x.name], hint: call.hint("input_shape"))], hint: call.hint("broadcast"))
        return KerasValue(name: output, shape: x.shape, layout: .native, dataType: .float)
    }
}
