import ModelIR

/// `UnitNormalization`: x · min(1/√Σx², 10¹²) over `axis` (an axis or a list), Keras's
/// `ops.normalize(x, order=2, epsilon=1e-12)`, in whatever layout the input has.
enum UnitNormalizationMapper: KerasLayerMapper {
    static let classNames = ["UnitNormalization"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        guard let list = (call.config["axis"] ?? .number(-1)).ints, !list.isEmpty else { throw call.invalid("'axis' is not an integer or a list of integers") }
        var axes: [Int] = []
        for axis in list { axes.append(x.onnxAxis(try call.axis(axis, rank: x.rank))) }
        let graph = call.graph
        let sum = graph.reduce("ReduceSum", graph.op("Mul", [x.name, x.name], hint: call.hint("square")), axes: Array(Set(axes)).sorted(),
                               keepDims: true, hint: call.hint("sum_squares"))
        let inverse = graph.op("Reciprocal", [graph.op("Sqrt", [sum], hint: call.hint("norm"))], hint: call.hint("inverse_norm"))
        let bounded = graph.op("Min", [inverse, graph.scalar(1e12)], hint: call.hint("bounded"))
        return [x.with(name: graph.op("Mul", [x.name, bounded], hint: call.hint("normalized")))]
    }
}
