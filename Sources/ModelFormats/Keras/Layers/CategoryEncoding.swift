import ModelIR

/// `CategoryEncoding`: integer category ids to `num_tokens`-wide vectors, as Keras encodes them:
/// `one_hot` (a trailing axis of size 1 is replaced, any other input gets one appended),
/// `multi_hot` (1 where the id occurs in the row) and `count` (how often it occurs) over the last
/// axis of a [batch, ids] or [batch] input. Ids outside 0…num_tokens−1 encode to zeros. `count_weights` and
/// `sparse=True` are refused.
enum CategoryEncodingMapper: KerasLayerMapper {
    static let classNames = ["CategoryEncoding"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        if call.inputs.count > 1 || call.arguments.keyword["count_weights"] != nil {
            throw call.unsupported("count_weights", "count without weights")
        }
        let depth = try call.requiredInt("num_tokens")
        return [try encode(call.graph.nativeValue(try call.input()), mode: call.string("output_mode", default: "multi_hot"), depth: depth, call: call)]
    }

    /// `ids` encoded in `mode` (`int` leaves them as int32) as Keras's `encode_categorical_inputs` does.
    static func encode(_ ids: KerasValue, mode: String, depth: Int, call: KerasLayerCall) throws(KerasImportError) -> KerasValue {
        if call.bool("sparse", default: false) { throw call.unsupported("sparse=True", "use sparse=False") }
        let graph = call.graph
        if mode == "int" {
            let output = ids.dataType == .int32 ? ids.name
                : graph.op("Cast", [ids.name], [.int("to", Int(DataType.int32.rawValue))], hint: call.hint("int"))
            return KerasValue(name: output, shape: ids.shape, layout: .native, dataType: .int32)
        }
        guard ["one_hot", "multi_hot", "count"].contains(mode) else {
            throw call.unsupported("output_mode='\(mode)'", "use one of int, one_hot, multi_hot, count")
        }
        guard depth >= 1 else { throw call.invalid("encodes into \(depth) categories") }
        var x = ids
        if mode == "one_hot", x.rank > 1, x.shape[x.rank - 1] == 1 {
            x = x.with(name: graph.squeeze(x.name, axes: [x.rank - 1], hint: call.hint("ids")), shape: Array(x.shape.dropLast()))
        } else if mode != "one_hot", x.rank > 2 {
            throw call.unsupported("output_mode='\(mode)' on an input of shape \(x.shape)", "pass a [batch, ids] or [batch] input")
        }
        let categories = try call.constantTensor(KerasConstant(values: (0..<depth).map(Double.init), shape: [depth], isFloat: false),
                                                 as: x.dataType, what: "categories")
        let matches = graph.op("Equal", [graph.unsqueeze(x.name, axes: [x.rank], hint: call.hint("ids_column")), categories], hint: call.hint("matches"))
        let oneHot = graph.op("Cast", [matches], [.int("to", Int(DataType.float.rawValue))], hint: call.hint("one_hot"))
        if mode == "one_hot" || x.rank == 1 {
            return KerasValue(name: oneHot, shape: x.shape + [depth], layout: .native, dataType: .float)
        }
        let output = graph.reduce(mode == "count" ? "ReduceSum" : "ReduceMax", oneHot, axes: [1], keepDims: false, hint: call.hint(mode))
        return KerasValue(name: output, shape: [x.shape[0], depth], layout: .native, dataType: .float)
    }
}
