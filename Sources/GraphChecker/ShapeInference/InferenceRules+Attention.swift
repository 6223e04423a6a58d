import ModelIR

/// Attention (opset 23 on), RotaryEmbedding and the two classification losses.
extension InferenceRules {
    static func addAttentionAndLossRules(_ table: inout [String: Rule]) {
        table["Attention"] = attention
        table["RotaryEmbedding"] = rotaryEmbedding
        table["SoftmaxCrossEntropyLoss"] = softmaxCrossEntropyLoss
        table["NegativeLogLikelihoodLoss"] = negativeLogLikelihoodLoss
    }

    /// ONNX's `AttentionPropagateElemTypeFromInputToOutput`. Q, K and V are 3-D ([batch, seq,
    /// heads × size], with `q_num_heads` and `kv_num_heads`) or 4-D ([batch, heads, seq, size]).
    /// Y is [batch, q_heads, q_seq, v_size] (4-D) or [batch, q_seq, q_heads × v_size] (3-D); the
    /// optional QK product is [batch, q_heads, q_seq, kv_seq]; present_key and present_value extend
    /// the past caches by kv_seq.
    static func attention(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        var outputs = c.node.outputs.map { _ in InferredOutput(shape: nil) }
        guard let query = c.shape(0) else { return outputs }
        guard query.rank == 3 || query.rank == 4 else { throw shapeError("the query must have 3 or 4 dimensions, got \(query)") }
        if query.rank == 3 && (!c.has("q_num_heads") || !c.has("kv_num_heads")) {
            throw shapeError("3-D inputs need the q_num_heads and kv_num_heads attributes")
        }
        if let key = c.shape(1), key.rank != 3 && key.rank != 4 { throw shapeError("the key must have 3 or 4 dimensions, got \(key)") }
        guard let value = c.shape(2) else { return outputs }
        guard value.rank == 3 || value.rank == 4 else { throw shapeError("the value must have 3 or 4 dimensions, got \(value)") }
        var kvSequence: Dimension = .unknown
        if value.rank == 4 && query.rank == 4 {
            kvSequence = value.dims[2]
            outputs[0] = .shape([query.dims[0], query.dims[1], query.dims[2], value.dims[3]])
            if outputs.count > 3 { outputs[3] = .shape([query.dims[0], query.dims[1], query.dims[2], kvSequence]) }
        } else if value.rank == 3 && query.rank == 3 {
            kvSequence = value.dims[1]
            let queryHeads = c.int("q_num_heads") ?? 0, kvHeads = c.int("kv_num_heads") ?? 0
            guard queryHeads > 0, kvHeads > 0 else { throw shapeError("q_num_heads and kv_num_heads must be positive") }
            let hidden: Dimension = value.dims[2].value.map { .fixed($0 / kvHeads * queryHeads) } ?? .unknown
            outputs[0] = .shape([query.dims[0], query.dims[1], hidden])
            if outputs.count > 3 { outputs[3] = .shape([query.dims[0], .fixed(queryHeads), query.dims[1], kvSequence]) }
        }
        if outputs.count > 2, c.isPresent(4), c.isPresent(5), let pastKey = c.shape(4), let pastValue = c.shape(5) {
            guard pastKey.rank == 4, pastValue.rank == 4 else { throw shapeError("past_key and past_value must have 4 dimensions") }
            if let kv = kvSequence.value, kv > 0, let past = pastKey.dims[2].value {
                var key = pastKey.dims, value = pastValue.dims
                key[2] = .fixed(kv + past)
                value[2] = .fixed(kv + past)
                outputs[1] = .shape(key)
                outputs[2] = .shape(value)
                if outputs.count > 3, var product = outputs[3].shape?.dims, product.count == 4 {
                    product[3] = .fixed(kv + past)
                    outputs[3] = .shape(product)
                }
            }
        }
        return outputs
    }

    /// Y has X's shape; X has 3 or 4 dimensions, and 3 need `num_heads`.
    static func rotaryEmbedding(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        guard (3...4).contains(input.rank) else { throw shapeError("the input must have 3 or 4 dimensions, got \(input)") }
        if input.rank == 3 && !c.has("num_heads") { throw shapeError("a 3-D input needs the num_heads attribute") }
        return [InferredOutput(shape: input)]
    }

    /// The loss has the labels' shape with `reduction` "none", else it is a scalar; log_prob has
    /// the scores' shape.
    static func softmaxCrossEntropyLoss(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        let loss = (c.string("reduction") ?? "mean") == "none" ? InferredOutput(shape: c.shape(1)) : .shape([])
        return c.node.outputs.count > 1 ? [loss, InferredOutput(shape: c.shape(0))] : [loss]
    }

    /// input [N, C, d1…dk] and target [N, d1…dk]: the loss is [N, d1…dk] with `reduction` "none",
    /// else a scalar; the dimensions the two share must agree.
    static func negativeLogLikelihoodLoss(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0), let target = c.shape(1) else { return nil }
        guard input.rank >= 2 else { throw shapeError("the input must have at least 2 dimensions, got \(input)") }
        guard target.rank == input.rank - 1 else { throw shapeError("the target \(target) must have one dimension fewer than the input \(input)") }
        var dims: [Dimension] = []
        for axis in 0..<target.rank {
            let fromInput = input.dims[axis == 0 ? 0 : axis + 1], fromTarget = target.dims[axis]
            if let a = fromInput.value, let b = fromTarget.value, a != b {
                throw shapeError("input \(input) and target \(target) differ in a shared dimension (\(a) vs \(b))")
            }
            dims.append(fromInput.value != nil ? fromInput : fromTarget)
        }
        if c.isPresent(2), let weight = c.shape(2), weight.rank != 1 { throw shapeError("the weight must have 1 dimension, got \(weight)") }
        return [(c.string("reduction") ?? "mean") == "none" ? .shape(dims) : .shape([])]
    }
}
