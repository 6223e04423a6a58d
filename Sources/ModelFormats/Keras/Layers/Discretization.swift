import ModelIR

/// `Discretization` with `bin_boundaries`: each value's bin is the number of boundaries at or below
/// it (NumPy's `digitize`), then encoded by `output_mode` as `CategoryEncoding` encodes ids, over
/// len(bin_boundaries) + 1 bins. A layer whose boundaries were only adapted (`num_bins`, no
/// `bin_boundaries` in the file) is refused.
enum DiscretizationMapper: KerasLayerMapper {
    static let classNames = ["Discretization"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        guard let boundaries = call.config["bin_boundaries"]?.doubles, !boundaries.isEmpty else {
            throw call.unsupported("a layer without bin_boundaries", "construct it with bin_boundaries=[…] before saving")
        }
        let graph = call.graph
        let values = x.dataType == .float ? x.name : graph.op("Cast", [x.name], [.int("to", Int(DataType.float.rawValue))], hint: call.hint("float"))
        let bins = try call.constantTensor(KerasConstant(values: boundaries, shape: [boundaries.count], isFloat: true), as: .float, what: "bin_boundaries")
        let above = graph.op("GreaterOrEqual", [graph.unsqueeze(values, axes: [x.rank], hint: call.hint("values_column")), bins],
                             hint: call.hint("at_or_above"))
        let count = graph.reduce("ReduceSum", graph.op("Cast", [above], [.int("to", Int(DataType.int32.rawValue))], hint: call.hint("at_or_above_int")),
                                 axes: [x.rank], keepDims: false, hint: call.hint("bin"))
        let indices = KerasValue(name: count, shape: x.shape, layout: .native, dataType: .int32)
        return [try CategoryEncodingMapper.encode(indices, mode: call.string("output_mode", default: "int"), depth: boundaries.count + 1, call: call)]
    }
}
