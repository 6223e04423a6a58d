import ModelIR

/// `RMSNormalization`: x · 1/√(mean(x²) + ε) · scale over the trailing `axis` (an axis or a list),
/// Keras's `ops.rms_normalization`, with `epsilon` (default 10⁻⁶) and the `scale` weight.
enum RMSNormalizationMapper: KerasLayerMapper {
    static let classNames = ["RMSNormalization"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        guard let list = (call.config["axis"] ?? .number(-1)).ints, !list.isEmpty else { throw call.invalid("'axis' is not an integer or a list of integers") }
        var axes: [Int] = []
        for axis in list { axes.append(try call.axis(axis, rank: x.rank)) }
        axes = Array(Set(axes)).sorted()
        guard let first = axes.first, axes == Array(first..<x.rank), first >= 1 else {
            throw call.unsupported("axis=\(list)", "normalize over the trailing axes (axis=-1 is the default)")
        }
        let epsilon = Float(try call.double("epsilon", default: 1e-6))
        try call.requireWeights(1)
        var normalizedShape: [Int] = []
        for axis in axes {
            guard let size = x.shape[axis] else { throw call.unsupported("an unknown size on a normalized axis", "fix that axis's size") }
            normalizedShape.append(size)
        }
        let scale = try call.weight(0, "scale")
        guard scale.count == normalizedShape.reduce(1, *) else {
            throw call.invalid("scale has shape \(scale.shape), expected \(normalizedShape)")
        }
        let graph = call.graph
        let meanSquare = graph.reduce("ReduceMean", graph.op("Mul", [x.name, x.name], hint: call.hint("square")), axes: axes, keepDims: true,
                                      hint: call.hint("mean_square"))
        let inverse = graph.op("Reciprocal", [graph.op("Sqrt", [graph.op("Add", [meanSquare, graph.scalar(epsilon)], hint: call.hint("mean_square_eps"))],
                                                       hint: call.hint("rms"))], hint: call.hint("inverse_rms"))
        let normalized = graph.op("Mul", [x.name, inverse], hint: call.hint("normalized"))
        let output = graph.op("Mul", [normalized, try call.constant("scale", scale.reshaped(normalizedShape))], hint: call.hint("scaled"))
        return [x.with(name: output)]
    }
}
