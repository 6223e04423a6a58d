import ModelIR

/// `LayerNormalization` over trailing axes: ONNX LayerNormalization from opset 17, spelled out
/// with ReduceMean before.
enum LayerNormalizationMapper: KerasLayerMapper {
    static let classNames = ["LayerNormalization"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        let axes = (call.config["axis"]?.ints ?? [-1]).map { $0 < 0 ? $0 + x.rank : $0 }.sorted()
        guard let first = axes.first, axes == Array(first..<x.rank), first >= 1 else {
            throw call.unsupported("axis=\(axes)", "normalize over the trailing axes (axis=-1 is the default)")
        }
        if call.bool("rms_scaling", default: false) { throw call.unsupported("rms_scaling=True", "use rms_scaling=False") }
        let center = call.bool("center", default: true)
        let scale = call.bool("scale", default: true)
        let epsilon = Float(try call.double("epsilon", default: 1e-3))
        try call.requireWeights((center ? 1 : 0) + (scale ? 1 : 0))
        var normalizedShape: [Int] = []
        for axis in axes {
            guard let size = x.shape[axis], size > 0 else { throw call.unsupported("an unknown size on a normalized axis", "fix that axis's size") }
            normalizedShape.append(size)
        }
        guard let count = knownProduct(normalizedShape.map { Optional($0) }) else { throw call.invalid("the normalized shape \(normalizedShape) is too large") }
        let gamma = scale ? try call.weight(0, "gamma").reshaped(normalizedShape)
            : KerasArray(shape: normalizedShape, values: Array(repeating: 1, count: count))
        let beta = center ? try call.weight(scale ? 1 : 0, "beta").reshaped(normalizedShape) : nil
        guard gamma.count == count, beta.map({ $0.count == count }) ?? true else {
            throw call.invalid("gamma or beta does not have \(count) values")
        }
        let graph = call.graph
        let output: String
        if graph.opset >= 17 {
            var inputs = [x.name, try call.constant("gamma", gamma)]
            if let beta { inputs.append(try call.constant("beta", beta)) }
            output = graph.op("LayerNormalization", inputs, [.int("axis", first), .float("epsilon", epsilon)], hint: call.hint("LayerNormalization"))
        } else {
            let mean = graph.reduce("ReduceMean", x.name, axes: axes, keepDims: true, hint: call.hint("mean"))
            let centered = graph.op("Sub", [x.name, mean], hint: call.hint("centered"))
            let variance = graph.reduce("ReduceMean", graph.op("Mul", [centered, centered], hint: call.hint("square")), axes: axes,
                                        keepDims: true, hint: call.hint("variance"))
            let deviation = graph.op("Sqrt", [graph.op("Add", [variance, graph.scalar(epsilon)], hint: call.hint("variance_eps"))], hint: call.hint("std"))
            var result = graph.op("Mul", [graph.op("Div", [centered, deviation], hint: call.hint("normalized")), try call.constant("gamma", gamma)],
                                  hint: call.hint("scaled"))
            if let beta { result = graph.op("Add", [result, try call.constant("beta", beta)], hint: call.hint("shifted")) }
            output = result
        }
        return [x.with(name: output)]
    }
}
