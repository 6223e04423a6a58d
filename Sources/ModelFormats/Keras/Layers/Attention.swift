import ModelIR

/// `Attention` (Luong: `score_mode='dot'`, query · keyᵀ times `scale` with `use_scale`; or
/// `'concat'`, `concat_score_weight` · Σ tanh(`scale`·(query + key))) and `AdditiveAttention`
/// (Bahdanau: Σ `scale` · tanh(query + key), `scale` a per-feature vector with `use_scale`) on
/// `[query, value]` or `[query, value, key]` ([batch, …, time, features]; key defaults to value).
/// Scores where the value mask (or `use_causal_mask`) drops a step get 10⁹ subtracted before the
/// softmax over the keys; the weights multiply the value, and rows where the query mask drops a
/// step become 0. Masks come from `mask=[query_mask, value_mask]` or the inputs' implicit masks.
/// Dropout does nothing at inference. `return_attention_scores=True` adds the softmax weights
/// [batch, …, Tq, Tv] as a second output.
enum AttentionMapper: KerasLayerMapper {
    static let classNames = ["Attention", "AdditiveAttention"]
    static let keywordTensors: Set<String> = ["mask"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let graph = call.graph
        guard (2...3).contains(call.inputs.count) else {
            throw call.invalid("expects [query, value] or [query, value, key], got \(call.inputs.count) tensors")
        }
        let q = graph.nativeValue(call.inputs[0]), v = graph.nativeValue(call.inputs[1])
        let k = call.inputs.count == 3 ? graph.nativeValue(call.inputs[2]) : v
        let rank = q.rank
        guard rank >= 3, v.rank == rank, k.rank == rank else {
            throw call.unsupported("inputs of shapes \(q.shape), \(v.shape), \(k.shape)", "use [batch, time, features] inputs of one rank")
        }
        let additive = call.className == "AdditiveAttention"
        let scoreMode = additive ? "concat" : call.string("score_mode", default: "dot")
        guard ["dot", "concat"].contains(scoreMode) else { throw call.unsupported("score_mode='\(scoreMode)'", "use 'dot' or 'concat'") }
        let useScale = call.bool("use_scale", default: additive)
        let concatWeight = !additive && scoreMode == "concat"
        try call.requireWeights((useScale ? 1 : 0) + (concatWeight ? 1 : 0))
        let scale = useScale ? try call.weight(0, "scale") : nil
        let features = q.shape[rank - 1]
        if let scale, additive ? features.map({ $0 != scale.count }) ?? false : scale.count != 1 {
            throw call.invalid("scale has \(scale.count) values, expected \(additive ? features.map(String.init) ?? "?" : "1")")
        }

        var scores: String
        if scoreMode == "dot" {
            let keyTransposed = graph.transpose(k.name, perm: Array(0..<(rank - 2)) + [rank - 1, rank - 2], hint: call.hint("key_transposed"))
            scores = graph.op("MatMul", [q.name, keyTransposed], hint: call.hint("scores"))
            if let scale { scores = graph.op("Mul", [scores, try call.constant("scale", scale.reshaped([]))], hint: call.hint("scaled_scores")) }
        } else {
            var sum = graph.op("Add", [graph.unsqueeze(q.name, axes: [rank - 1], hint: call.hint("query_rows")),
                                       graph.unsqueeze(k.name, axes: [rank - 2], hint: call.hint("key_columns"))], hint: call.hint("sum"))
            if let scale, !additive { sum = graph.op("Mul", [sum, try call.constant("scale", scale.reshaped([]))], hint: call.hint("scaled_sum")) }
            var tanh = graph.op("Tanh", [sum], hint: call.hint("tanh"))
            if let scale, additive { tanh = graph.op("Mul", [tanh, try call.constant("scale", scale.reshaped([scale.count]))], hint: call.hint("scaled_tanh")) }
            scores = graph.reduce("ReduceSum", tanh, axes: [rank], keepDims: false, hint: call.hint("scores"))
            if concatWeight {
                scores = graph.op("Mul", [scores, try call.constant("concat_score_weight", try call.weight(useScale ? 1 : 0, "concat_score_weight").reshaped([]))],
                                  hint: call.hint("weighted_scores"))
            }
        }

        let (queryMask, valueMask) = try masks(call, query: call.inputs[0], value: call.inputs[1])
        var kept = valueMask.map { graph.unsqueeze($0, axes: [rank - 2], hint: call.hint("value_mask_rows")) }
        if call.keywordConstant("use_causal_mask")?.bool == true {
            guard let rows = q.shape[rank - 2], let columns = k.shape[rank - 2] else {
                throw call.unsupported("use_causal_mask with sequences of unknown length", "give the inputs a fixed length")
            }
            let keep = (0..<rows).flatMap { row in (0..<columns).map { $0 <= row } }
            let tensor: Tensor
            do { tensor = try Tensor(name: "", shape: [rows, columns], scalars: keep) } catch { throw call.invalid("the causal mask cannot be built: \(error)") }
            let causal = graph.initializer("\(call.scopedName)/causal_mask", tensor)
            kept = kept.map { graph.op("And", [$0, causal], hint: call.hint("mask")) } ?? causal
        }
        if let kept {
            let lowered = graph.op("Sub", [scores, graph.scalar(1e9)], hint: call.hint("lowered_scores"))
            scores = graph.op("Where", [kept, scores, lowered], hint: call.hint("masked_scores"))
        }
        let weights = graph.op("Softmax", [scores], [.int("axis", rank - 1)], hint: call.hint("Softmax"))
        var output = graph.op("MatMul", [weights, v.name], hint: call.hint("attention"))
        if let queryMask {
            let rows = graph.unsqueeze(queryMask, axes: [rank - 1], hint: call.hint("query_mask_columns"))
            output = graph.op("Where", [rows, output, graph.scalar(0)], hint: call.hint("masked_attention"))
        }
        var result = KerasValue(name: output, shape: Array(q.shape.dropLast()) + [v.shape[rank - 1]], layout: .native, dataType: .float)
        result.keptSteps = queryMask
        guard call.keywordConstant("return_attention_scores")?.bool == true else { return [result] }
        let scoreShape = Array(q.shape.dropLast()) + [k.shape[rank - 2]]
        return [result, KerasValue(name: weights, shape: scoreShape, layout: .native, dataType: .float)]
    }

    /// The boolean query and value masks ([batch, …, time]): `mask=[query_mask, value_mask]` when the
    /// call passes it, else the inputs' implicit masks.
    private static func masks(_ call: KerasLayerCall, query: KerasValue, value: KerasValue) throws(KerasImportError) -> (String?, String?) {
        guard let argument = call.arguments.keyword["mask"], argument.json != .null else { return (query.keptSteps, value.keptSteps) }
        guard case .list(let items) = argument, (2...3).contains(items.count) else {
            throw call.unsupported("a mask that is not a list [query_mask, value_mask]", "pass mask=[query_mask, value_mask]")
        }
        let graph = call.graph
        func bool(_ item: KerasArgument<KerasValue>, _ what: String) -> String? {
            guard case .tensor(let mask) = item else { return nil }
            let native = graph.native(mask)
            return mask.dataType == .bool ? native : graph.op("Cast", [native], [.int("to", Int(DataType.bool.rawValue))], hint: call.hint("\(what)_bool"))
        }
        return (bool(items[0], "query_mask"), bool(items[1], "value_mask"))
    }
}
