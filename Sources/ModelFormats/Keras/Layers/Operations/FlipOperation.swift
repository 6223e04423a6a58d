import ModelIR

/// `keras.ops.flip(x, axis)`: the order of the elements reversed along `axis` (an axis, a list, or
/// None for every axis), as Slices with step −1, in whatever layout the tensor has.
enum FlipOperationMapper: KerasLayerMapper {
    static let classNames = ["Flip"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let input) = try call.operand(0, keyword: "x") else { throw call.unsupported("a constant argument", "flip a tensor") }
        let graph = call.graph
        var x = input
        if case .flattenedChannelsFirst = x.layout { x = graph.nativeValue(x) }
        let axes = try call.axesParameter(rank: x.rank, position: 1) ?? Array(0..<x.rank)
        guard !axes.isEmpty else { return [x] }
        let onnxAxes = axes.map { x.onnxAxis($0) }
        let count = onnxAxes.count
        let output = graph.op("Slice", [x.name, graph.int64s(Array(repeating: -1, count: count)),
                                        graph.int64s(Array(repeating: Int(Int64.min), count: count)), graph.int64s(onnxAxes),
                                        graph.int64s(Array(repeating: -1, count: count))], hint: call.hint("Flip"))
        return [x.with(name: output)]
    }
}
