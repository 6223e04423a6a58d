import ModelIR

/// KerasHub's `TransformerEncoder` and `TransformerDecoder`, on [batch, time, hidden] inputs, as
/// KerasHub computes them: self-attention (MultiHeadAttention with `num_heads` heads of
/// hidden / num_heads), residual add, for a decoder called with an encoder sequence the same
/// block attending to it (cross-attention), then the feed-forward block Dense(`intermediate_dim`, `activation`) → Dense(hidden),
/// residual add; LayerNormalization (`layer_norm_epsilon`) after each residual add, or before
/// each block with `normalize_first`. Dropout does nothing at inference.
///
/// Masks as KerasHub merges them: the padding mask (the encoder's `padding_mask`, the decoder's
/// `decoder_padding_mask`, else the input's implicit mask) on the keys, and-ed with the
/// `attention_mask` / `decoder_attention_mask` [batch, T, T]; the decoder adds the causal mask
/// unless called with `use_causal_mask=False`; cross-attention masks its keys by
/// `encoder_padding_mask` (else the encoder sequence's implicit mask) and-ed with
/// `encoder_attention_mask`. The encoder's attention also applies the input's implicit mask to
/// queries and keys, as MultiHeadAttention does; the output carries the input's implicit mask.
/// Attention caches are refused.
enum TransformerLayersMapper: KerasLayerMapper {
    static let classNames = ["keras_hub>TransformerEncoder", "keras_hub>TransformerDecoder"]
    static let keywordTensors: Set<String> = ["padding_mask", "attention_mask", "decoder_padding_mask", "decoder_attention_mask",
                                              "encoder_sequence", "encoder_padding_mask", "encoder_attention_mask"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let isDecoder = call.className == "keras_hub>TransformerDecoder"
        let graph = call.graph
        let encoderSequence = call.inputs.count > 1 ? call.inputs[1] : try call.keywordTensor("encoder_sequence")
        if let encoderSequence, !isDecoder || call.inputs.count > 2 || encoderSequence.rank != 3 {
            throw call.invalid("expects one [batch, time, hidden] input, and a decoder an optional encoder sequence")
        }
        for key in ["self_attention_cache", "cross_attention_cache"] where call.arguments.keyword[key] != nil && call.keywordConstant(key) != .null {
            throw call.unsupported(key, "call the layer without a cache")
        }
        guard let first = call.inputs.first else { throw call.invalid("is called without an input") }
        let x = graph.nativeValue(first)
        guard x.rank == 3, let hidden = x.shape[2] else { throw call.unsupported("an input of shape \(x.shape)", "pass [batch, time, hidden] inputs") }
        let heads = try call.requiredInt("num_heads")
        let intermediate = try call.requiredInt("intermediate_dim")
        guard heads >= 1, hidden / heads >= 1 else { throw call.invalid("\(hidden) features do not make \(heads) heads") }
        let epsilon = KerasJSON.number(try call.double("layer_norm_epsilon", default: 1e-5))
        let normalizeFirst = call.bool("normalize_first", default: false)
        let crossAttention: [(group: String, count: Int)] = encoderSequence == nil ? [] : [("_cross_attention_layer", 8), ("_cross_attention_layer_norm", 2)]
        let parts: [(group: String, count: Int)] = isDecoder
            ? [("_self_attention_layer", 8), ("_self_attention_layer_norm", 2)] + crossAttention
                + [("_feedforward_intermediate_dense", 2), ("_feedforward_output_dense", 2), ("_feedforward_layer_norm", 2)]
            : [("_self_attention_layer", 8), ("_self_attention_layer_norm", 2), ("_feedforward_layer_norm", 2),
               ("_feedforward_intermediate_dense", 2), ("_feedforward_output_dense", 2)]
        let weights = try call.sublayerWeights(parts)
        func part(_ group: String) -> [Tensor] { weights[parts.firstIndex { $0.group == group } ?? 0] }
        func layerNorm(_ value: KerasValue, _ group: String) throws(KerasImportError) -> KerasValue {
            let sublayer = call.sublayer("LayerNormalization", suffix: String(group.dropFirst()), config: ["epsilon": epsilon, "axis": .number(-1)],
                                         weights: part(group), arguments: KerasCallArguments(positional: [.tensor(value)]))
            return try LayerNormalizationMapper.convert(sublayer)[0]
        }
        func dense(_ value: KerasValue, _ group: String, units: Int, activation: KerasJSON?) throws(KerasImportError) -> KerasValue {
            var config: [String: KerasJSON] = ["units": .number(Double(units))]
            if let activation { config["activation"] = activation }
            let sublayer = call.sublayer("Dense", suffix: String(group.dropFirst()), config: config, weights: part(group),
                                         arguments: KerasCallArguments(positional: [.tensor(value)]))
            return try DenseMapper.convert(sublayer)[0]
        }
        func add(_ a: KerasValue, _ b: KerasValue, _ what: String) -> KerasValue {
            x.with(name: graph.op("Add", [a.name, b.name], hint: call.hint(what)))
        }
        func attend(_ query: KerasValue, _ value: KerasValue, _ group: String, mask: KerasValue?, causal: Bool) throws(KerasImportError) -> KerasValue {
            var keyword: [String: KerasArgument<KerasValue>] = [:]
            if let mask { keyword["attention_mask"] = .tensor(mask) }
            if causal { keyword["use_causal_mask"] = .constant(.bool(true)) }
            let attention = call.sublayer("MultiHeadAttention", suffix: String(group.dropFirst()),
                                          config: ["num_heads": .number(Double(heads)), "key_dim": .number(Double(hidden / heads))],
                                          weights: part(group), arguments: KerasCallArguments(positional: [.tensor(query), .tensor(value)], keyword: keyword))
            return try MultiHeadAttentionMapper.attend(attention, heads: heads, keyValueHeads: heads, keyDim: hidden / heads, valueDim: hidden / heads)[0]
        }
        // KerasHub's decoder attention (CachedMultiHeadAttention) reads no implicit masks; the encoder's does.
        func withoutImplicitMask(_ value: KerasValue) -> KerasValue {
            KerasValue(name: value.name, shape: value.shape, layout: .native, dataType: value.dataType)
        }

        let selfMask = try mergedMask(call, sequence: x, paddingKey: isDecoder ? "decoder_padding_mask" : "padding_mask",
                                      attentionKey: isDecoder ? "decoder_attention_mask" : "attention_mask")
        let causal = isDecoder && (call.keywordConstant("use_causal_mask")?.bool ?? true)
        var residual = x
        var current = normalizeFirst ? try layerNorm(x, "_self_attention_layer_norm") : x
        let selfQuery = isDecoder ? withoutImplicitMask(current) : current
        current = add(try attend(selfQuery, selfQuery, "_self_attention_layer", mask: selfMask, causal: causal), residual, "attention_residual")
        if !normalizeFirst { current = try layerNorm(current, "_self_attention_layer_norm") }
        if let encoderSequence {
            let encoder = graph.nativeValue(encoderSequence)
            let crossMask = try mergedMask(call, sequence: encoder, paddingKey: "encoder_padding_mask", attentionKey: "encoder_attention_mask")
            residual = current
            if normalizeFirst { current = try layerNorm(current, "_cross_attention_layer_norm") }
            current = add(try attend(withoutImplicitMask(current), withoutImplicitMask(encoder), "_cross_attention_layer", mask: crossMask, causal: false),
                          residual, "cross_attention_residual")
            if !normalizeFirst { current = try layerNorm(current, "_cross_attention_layer_norm") }
        }
        residual = current
        if normalizeFirst { current = try layerNorm(current, "_feedforward_layer_norm") }
        current = try dense(current, "_feedforward_intermediate_dense", units: intermediate, activation: call.config["activation"] ?? .string("relu"))
        current = try dense(current, "_feedforward_output_dense", units: hidden, activation: nil)
        current = add(current, residual, "feedforward_residual")
        if !normalizeFirst { current = try layerNorm(current, "_feedforward_layer_norm") }
        return [current.with(name: current.name, shape: x.shape)]
    }

    /// KerasHub's `merge_padding_and_attention_mask` for the keys `sequence`: the padding mask
    /// [batch, 1, S] (the keyword tensor `paddingKey`, else the sequence's implicit mask) and-ed with
    /// the attention mask [batch, T, S] (`attentionKey`), as a boolean tensor; nil when there is neither.
    private static func mergedMask(_ call: KerasLayerCall, sequence: KerasValue, paddingKey: String,
                                   attentionKey: String) throws(KerasImportError) -> KerasValue? {
        let graph = call.graph
        func asBool(_ value: KerasValue, _ what: String) -> String {
            let native = graph.native(value)
            return value.dataType == .bool ? native : graph.op("Cast", [native], [.int("to", Int(DataType.bool.rawValue))], hint: call.hint("\(what)_bool"))
        }
        var parts: [String] = []
        if let padding = try call.keywordTensor(paddingKey) {
            guard padding.rank == 2 else { throw call.invalid("\(paddingKey) has shape \(padding.shape), expected [batch, time]") }
            parts.append(graph.unsqueeze(asBool(padding, paddingKey), axes: [1], hint: call.hint("\(paddingKey)_keys")))
        } else if let kept = sequence.keptSteps {
            parts.append(graph.unsqueeze(kept, axes: [1], hint: call.hint("implicit_mask_keys")))
        }
        if let attention = try call.keywordTensor(attentionKey) {
            guard attention.rank == 3 else { throw call.invalid("\(attentionKey) has shape \(attention.shape), expected [batch, T, S]") }
            parts.append(asBool(attention, attentionKey))
        }
        guard var combined = parts.first else { return nil }
        for part in parts.dropFirst() { combined = graph.op("And", [combined, part], hint: call.hint("mask")) }
        return KerasValue(name: combined, shape: [nil, nil, sequence.shape[1]], layout: .native, dataType: .bool)
    }
}
