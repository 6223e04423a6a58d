import ModelIR

/// `MultiHeadAttention` on [batch, time, features] inputs (attention over axis 1): the query, key
/// and value projections as MatMul + Add, per-head scaled dot products, softmax over the keys and
/// the output projection; `key` defaults to `value`. Masks follow Keras: `attention_mask`
/// ([batch, T, S], nonzero keeps), `value_mask` and `key_mask` ([batch, S]), the inputs' implicit
/// masks (`Embedding(mask_zero=True)`), `use_causal_mask` and `sliding_window` (a constant for
/// fixed lengths, computed at run time otherwise) combine by logical and; masked scores become
/// −10⁹ before the softmax.
/// `use_gate` multiplies the attention by sigmoid(query · W_gate + b_gate) per head;
/// `return_attention_scores` adds the softmax weights [batch, heads, T, S] as a second output.
enum MultiHeadAttentionMapper: KerasLayerMapper {
    static let classNames = ["MultiHeadAttention"]
    static let keywordTensors: Set<String> = ["query", "value", "key", "attention_mask", "value_mask", "key_mask", "query_mask"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        if let axes = call.config["attention_axes"]?.ints, axes.map({ $0 < 0 ? $0 + 3 : $0 }) != [1] {
            throw call.unsupported("attention_axes=\(axes)", "attend over the time axis (attention_axes=None or [1])")
        }
        let heads = try call.requiredInt("num_heads")
        let keyDim = try call.requiredInt("key_dim")
        return try attend(call, heads: heads, keyValueHeads: heads, keyDim: keyDim, valueDim: try call.int("value_dim", default: keyDim))
    }

    /// The attention of `call`'s query, value and key, with `keyValueHeads` key and value heads each
    /// shared by heads / keyValueHeads consecutive query heads (GroupedQueryAttention; all
    /// `heads` for MultiHeadAttention). The weights come in Keras's order: query, key, gate, value,
    /// output projections, each kernel [features, heads, width] then its bias.
    static func attend(_ call: KerasLayerCall, heads: Int, keyValueHeads: Int, keyDim: Int, valueDim: Int) throws(KerasImportError) -> [KerasValue] {
        let graph = call.graph
        let positional = call.arguments.positional.compactMap { argument -> KerasValue? in
            if case .tensor(let value) = argument { return value }
            return nil
        }
        let keywordQuery = try call.keywordTensor("query")
        let keywordValue = try call.keywordTensor("value")
        let keywordKey = try call.keywordTensor("key")
        guard let query = positional.first ?? keywordQuery else { throw call.invalid("is called without a query") }
        guard let value = positional.count > 1 ? positional[1] : keywordValue else { throw call.invalid("is called without a value") }
        let key = (positional.count > 2 ? positional[2] : keywordKey) ?? value
        let q = graph.nativeValue(query), v = graph.nativeValue(value), k = graph.nativeValue(key)
        guard q.rank == 3, v.rank == 3, k.rank == 3 else {
            throw call.unsupported("inputs of shapes \(q.shape), \(v.shape), \(k.shape)", "use [batch, time, features] inputs")
        }
        guard keyValueHeads >= 1, heads % keyValueHeads == 0 else {
            throw call.invalid("\(heads) query heads do not split into groups of \(keyValueHeads) key and value heads")
        }
        let useBias = call.bool("use_bias", default: true)
        let useGate = call.bool("use_gate", default: false)
        let projections = useGate ? 5 : 4
        try call.requireWeights(projections * (useBias ? 2 : 1))
        var weightIndex = 0
        func nextWeight(_ what: String) throws(KerasImportError) -> KerasArray {
            defer { weightIndex += 1 }
            return try call.weight(weightIndex, what)
        }
        func project(_ input: KerasValue, _ what: String, width: Int, headCount: Int) throws(KerasImportError) -> String {
            let kernel = try nextWeight("\(what)/kernel")
            guard kernel.shape.count == 3, kernel.shape[1] == headCount, kernel.shape[2] == width, input.shape[2] == kernel.shape[0] else {
                throw call.invalid("\(what)/kernel has shape \(kernel.shape), expected [\(input.shape[2].map(String.init) ?? "?"), \(headCount), \(width)]")
            }
            var output = graph.op("MatMul", [input.name, try call.constant("\(what)/kernel", kernel.reshaped([kernel.shape[0], headCount * width]))],
                                  hint: call.hint("\(what)/MatMul"))
            if useBias {
                let bias = try nextWeight("\(what)/bias")
                guard bias.count == headCount * width else { throw call.invalid("\(what)/bias has \(bias.count) values, expected \(headCount * width)") }
                output = graph.op("Add", [output, try call.constant("\(what)/bias", bias.reshaped([headCount * width]))], hint: call.hint("\(what)/BiasAdd"))
            }
            let split = graph.reshape(output, to: [0, 0, headCount, width], hint: call.hint("\(what)/heads"))
            return graph.transpose(split, perm: [0, 2, 1, 3], hint: call.hint("\(what)/heads_first"))
        }
        let projectedQuery = try project(q, "query", width: keyDim, headCount: heads)
        var projectedKey = try project(k, "key", width: keyDim, headCount: keyValueHeads)
        let gate = useGate ? graph.op("Sigmoid", [try project(q, "gate", width: valueDim, headCount: heads)], hint: call.hint("gate/Sigmoid")) : nil
        var projectedValue = try project(v, "value", width: valueDim, headCount: keyValueHeads)
        if keyValueHeads != heads {
            let repeats = heads / keyValueHeads
            let sharedHead = graph.int64s((0..<heads).map { $0 / repeats })
            projectedKey = graph.op("Gather", [projectedKey, sharedHead], [.int("axis", 1)], hint: call.hint("key/repeated_heads"))
            projectedValue = graph.op("Gather", [projectedValue, sharedHead], [.int("axis", 1)], hint: call.hint("value/repeated_heads"))
        }

        let scaled = graph.op("Mul", [projectedQuery, graph.scalar(Float(1 / Double(keyDim).squareRoot()))], hint: call.hint("scaled_query"))
        let keyTransposed = graph.transpose(projectedKey, perm: [0, 1, 3, 2], hint: call.hint("key_transposed"))
        var scores = graph.op("MatMul", [scaled, keyTransposed], hint: call.hint("scores"))
        let explicitKey = positional.count > 2 ? positional[2] : keywordKey
        if let mask = try mask(call, query: query, value: value, explicitKey: explicitKey) {
            scores = graph.op("Where", [mask, scores, graph.scalar(-1e9)], hint: call.hint("masked_scores"))
        }
        let weights = graph.op("Softmax", [scores], [.int("axis", 3)], hint: call.hint("Softmax"))
        var attention = graph.op("MatMul", [weights, projectedValue], hint: call.hint("attention"))
        if let gate { attention = graph.op("Mul", [attention, gate], hint: call.hint("gated")) }
        let merged = graph.reshape(graph.transpose(attention, perm: [0, 2, 1, 3], hint: call.hint("time_first")), to: [0, 0, heads * valueDim],
                                   hint: call.hint("merged_heads"))
        let outputKernel = try nextWeight("attention_output/kernel")
        guard outputKernel.shape.count >= 3, outputKernel.shape[0] == heads, outputKernel.shape[1] == valueDim else {
            throw call.invalid("attention_output/kernel has shape \(outputKernel.shape), expected [\(heads), \(valueDim), …]")
        }
        let outputShape = Array(outputKernel.shape.dropFirst(2))
        let width = outputShape.reduce(1, *)
        var output = graph.op("MatMul", [merged, try call.constant("attention_output/kernel", outputKernel.reshaped([heads * valueDim, width]))],
                              hint: call.hint("attention_output/MatMul"))
        if useBias {
            let bias = try nextWeight("attention_output/bias")
            guard bias.count == width else { throw call.invalid("attention_output/bias has \(bias.count) values, expected \(width)") }
            output = graph.op("Add", [output, try call.constant("attention_output/bias", bias.reshaped([width]))], hint: call.hint("attention_output/BiasAdd"))
        }
        if outputShape.count > 1 { output = graph.reshape(output, to: [0, 0] + outputShape, hint: call.hint("output_shape")) }
        let result = KerasValue(name: output, shape: [nil, q.shape[1]] + outputShape.map { Optional($0) }, layout: .native, dataType: .float)
        if call.keywordConstant("return_attention_scores")?.bool == true {
            return [result, KerasValue(name: weights, shape: [nil, heads, q.shape[1], v.shape[1]], layout: .native, dataType: .float)]
        }
        return [result]
    }

    /// The combined boolean mask, broadcastable to the scores [batch, heads, T, S]; nil when nothing
    /// is masked. As in Keras, the query's mask is its implicit one only (an explicit `query_mask`
    /// is replaced by it), and value and key masks given by keyword take the place of implicit ones.
    private static func mask(_ call: KerasLayerCall, query: KerasValue, value: KerasValue,
                             explicitKey: KerasValue?) throws(KerasImportError) -> String? {
        let graph = call.graph
        var parts: [String] = []
        func asBool(_ tensor: KerasValue, _ what: String) -> String {
            let native = graph.native(tensor)
            return tensor.dataType == .bool ? native : graph.op("Cast", [native], [.int("to", Int(DataType.bool.rawValue))], hint: call.hint("\(what)_bool"))
        }
        if let attentionMask = try call.keywordTensor("attention_mask") {
            guard attentionMask.rank == 3 else { throw call.unsupported("an attention_mask of shape \(attentionMask.shape)", "pass a [batch, T, S] mask") }
            parts.append(graph.unsqueeze(asBool(attentionMask, "attention_mask"), axes: [1], hint: call.hint("attention_mask_heads")))
        }
        if let queryMask = query.keptSteps {
            parts.append(graph.unsqueeze(queryMask, axes: [1, 3], hint: call.hint("query_mask_heads")))
        }
        let implicit = ["value_mask": value.keptSteps, "key_mask": explicitKey?.keptSteps]
        for name in ["value_mask", "key_mask"] {
            let given = try call.keywordTensor(name)
            guard let mask = given.map({ asBool($0, name) }) ?? implicit[name] ?? nil else { continue }
            if let given, given.rank != 2 { throw call.unsupported("a \(name) of shape \(given.shape)", "pass a [batch, S] mask") }
            parts.append(graph.unsqueeze(mask, axes: [1, 2], hint: call.hint("\(name)_heads")))
        }
        let causal = call.keywordConstant("use_causal_mask")?.bool ?? false
        let window = call.config["sliding_window"]?.int
        if causal || window != nil, let rows = query.shape[1], let columns = value.shape[1] {
            var keep = [Bool](repeating: true, count: rows * columns)
            for row in 0..<rows {
                for column in 0..<columns {
                    if causal, column > row { keep[row * columns + column] = false }
                    if let window, abs(row - column) >= window { keep[row * columns + column] = false }
                }
            }
            let tensor: Tensor
            do { tensor = try Tensor(name: "", shape: [1, 1, rows, columns], scalars: keep) } catch {
                throw call.invalid("the causal mask cannot be built: \(error)")
            }
            parts.append(graph.initializer("\(call.scopedName)/causal_mask", tensor))
        } else if causal || window != nil {
            parts.append(positionMask(call, query: query, value: value, causal: causal, window: window))
        }
        guard var combined = parts.first else { return nil }
        for part in parts.dropFirst() { combined = graph.op("And", [combined, part], hint: call.hint("mask")) }
        return combined
    }

    /// The causal and sliding-window mask [1, 1, T, S] for sequences whose lengths are known at run
    /// time only: key position s is kept for query position t when s ≤ t (causal) and |t − s| < window.
    private static func positionMask(_ call: KerasLayerCall, query: KerasValue, value: KerasValue, causal: Bool, window: Int?) -> String {
        let graph = call.graph
        let zero = graph.initializer("\(call.scopedName)/zero", Tensor(name: "", scalar: Int64(0)))
        let one = graph.initializer("\(call.scopedName)/one", Tensor(name: "", scalar: Int64(1)))
        func positions(_ tensor: KerasValue, _ what: String) -> String {
            let length = graph.op("Gather", [graph.op("Shape", [graph.native(tensor)], hint: call.hint("\(what)_shape")), one], [.int("axis", 0)],
                                  hint: call.hint("\(what)_length"))
            return graph.op("Range", [zero, length, one], hint: call.hint("\(what)_positions"))
        }
        let rows = graph.unsqueeze(positions(query, "query"), axes: [1], hint: call.hint("query_positions_column"))
        let columns = graph.unsqueeze(positions(value, "value"), axes: [0], hint: call.hint("value_positions_row"))
        var keep: [String] = []
        if causal { keep.append(graph.op("GreaterOrEqual", [rows, columns], hint: call.hint("causal"))) }
        if let window {
            let distance = graph.op("Abs", [graph.op("Sub", [rows, columns], hint: call.hint("offset"))], hint: call.hint("distance"))
            keep.append(graph.op("Less", [distance, graph.int64s([window])], hint: call.hint("in_window")))
        }
        let combined = keep.dropFirst().reduce(keep[0]) { graph.op("And", [$0, $1], hint: call.hint("position_mask")) }
        return graph.unsqueeze(combined, axes: [0, 1], hint: call.hint("causal_mask"))
    }
}
