import ModelIR

/// `ReversibleEmbedding` (Keras's, and KerasHub's subclass of it): called as is, Embedding's lookup (with `mask_zero`'s implicit mask);
/// called with `reverse=True`, logits = inputs · embeddingsᵀ (or the separate `reverse_embeddings`
/// with `tie_weights=False`), then with `logit_soft_cap` c, tanh(logits / c) · c. A
/// `reverse_dtype` other than float32 is refused.
enum ReversibleEmbeddingMapper: KerasLayerMapper {
    static let classNames = ["ReversibleEmbedding", "keras_hub>ReversibleEmbedding"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let tied = call.bool("tie_weights", default: true)
        try call.requireWeights(tied ? 1 : 2)
        let reverse = call.keywordConstant("reverse")?.bool ?? (call.arguments.positional.count > 1 ? call.arguments.positional[1].json?.bool : nil) ?? false
        guard reverse else { return [try EmbeddingMapper.lookup(call)] }
        if let dtype = call.config["reverse_dtype"]?.string, KerasDType.dataTypes[dtype] != .float {
            throw call.unsupported("reverse_dtype='\(dtype)'", "use reverse_dtype=None or 'float32'")
        }
        let x = call.graph.nativeValue(try call.input())
        let table = try call.weight(0, "embeddings")
        guard table.shape.count == 2 else { throw call.invalid("embeddings has shape \(table.shape), expected [input_dim, output_dim]") }
        let kernel = tied ? table.permuted([1, 0]) : try call.weight(1, "reverse_embeddings")
        guard kernel.shape == [table.shape[1], table.shape[0]], x.shape.last == table.shape[1] else {
            throw call.invalid("the reverse kernel \(kernel.shape) does not map the input \(x.shape) to \(table.shape[0]) logits")
        }
        let graph = call.graph
        var logits = graph.op("MatMul", [x.name, try call.constant(tied ? "embeddings_transposed" : "reverse_embeddings", kernel)], hint: call.hint("logits"))
        if let cap = call.config["logit_soft_cap"]?.double {
            let scaled = graph.op("Div", [logits, graph.scalar(Float(cap))], hint: call.hint("logits_over_cap"))
            let capped = graph.op("Tanh", [scaled], hint: call.hint("soft_cap"))
            logits = graph.op("Mul", [capped, graph.scalar(Float(cap))], hint: call.hint("capped_logits"))
        }
        return [KerasValue(name: logits, shape: Array(x.shape.dropLast()) + [table.shape[0]], layout: .native, dataType: .float)]
    }
}
