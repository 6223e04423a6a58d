import ModelIR

/// `GroupedQueryAttention` (exported as `GroupQueryAttention`): MultiHeadAttention's computation
/// with `num_query_heads` query heads of width `head_dim` and `num_key_value_heads` key and value
/// heads, each shared by num_query_heads / num_key_value_heads consecutive query heads (Keras's
/// `ops.repeat` on the head axis). Masks, `use_causal_mask`, `sliding_window`, `use_gate` and
/// `return_attention_scores` as for MultiHeadAttention; `dropout` does nothing at inference.
enum GroupedQueryAttentionMapper: KerasLayerMapper {
    static let classNames = ["GroupedQueryAttention", "GroupQueryAttention"]
    static let keywordTensors = MultiHeadAttentionMapper.keywordTensors

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let headDim = try call.requiredInt("head_dim")
        return try MultiHeadAttentionMapper.attend(call, heads: try call.requiredInt("num_query_heads"),
                                                   keyValueHeads: try call.requiredInt("num_key_value_heads"), keyDim: headDim, valueDim: headDim)
    }
}
