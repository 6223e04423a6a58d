import ModelIR

/// `Normalization` (adapted or given mean and variance): (x − mean) / max(√variance, 1e-7).
enum NormalizationMapper: KerasLayerMapper {
    static let classNames = ["Normalization"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        if call.bool("invert", default: false) { throw call.unsupported("invert=True", "use invert=False") }
        let axes = (call.config["axis"]?.ints ?? [-1]).map { $0 < 0 ? $0 + x.rank : $0 }
        var broadcast = [Int](repeating: 1, count: x.rank - 1)
        for axis in axes {
            guard axis >= 1, axis < x.rank, let size = x.shape[axis], size > 0 else {
                throw call.invalid("axis \(axis) does not fit the input shape \(x.shape)")
            }
            broadcast[axis - 1] = size
        }
        guard let count = knownProduct(broadcast.map { Optional($0) }) else { throw call.invalid("the feature shape \(broadcast) is too large") }
        var mean: [Float]
        var variance: [Float]
        if let given = call.config["mean"]?.doubles, let givenVariance = call.config["variance"]?.doubles {
            mean = given.map { Float($0) }
            variance = givenVariance.map { Float($0) }
        } else {
            guard call.weights.count >= 2 else { throw call.invalid("has neither a given mean and variance nor adapted weights") }
            mean = try call.weight(0, "mean").values
            variance = try call.weight(1, "variance").values
        }
        if mean.count == 1 { mean = Array(repeating: mean[0], count: count) }
        if variance.count == 1 { variance = Array(repeating: variance[0], count: count) }
        guard mean.count == count, variance.count == count else {
            throw call.invalid("mean and variance have \(mean.count) and \(variance.count) values for \(count) features")
        }
        let deviation = variance.map { max($0.squareRoot(), 1e-7) }
        let graph = call.graph
        let centered = graph.op("Sub", [x.name, try graph.floats("\(call.scopedName)/mean", mean, shape: broadcast)], hint: call.hint("Sub"))
        let output = graph.op("Div", [centered, try graph.floats("\(call.scopedName)/std", deviation, shape: broadcast)], hint: call.hint("Div"))
        return [x.with(name: output)]
    }
}
