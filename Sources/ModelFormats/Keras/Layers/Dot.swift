import ModelIR

/// `Dot`: the batched dot product over `axes`, optionally of L2-normalized inputs (cosine).
enum DotMapper: KerasLayerMapper {
    static let classNames = ["Dot"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard call.inputs.count == 2 else { throw call.invalid("expects two inputs, got \(call.inputs.count)") }
        let graph = call.graph
        let a = graph.nativeValue(call.inputs[0])
        let b = graph.nativeValue(call.inputs[1])
        guard let rawAxes = call.config["axes"]?.ints, !rawAxes.isEmpty else { throw call.invalid("the configuration has no axes") }
        let pair = rawAxes.count == 1 ? [rawAxes[0], rawAxes[0]] : rawAxes
        let axisA = pair[0] < 0 ? pair[0] + a.rank : pair[0]
        let axisB = pair[1] < 0 ? pair[1] + b.rank : pair[1]
        var left = a.name
        var right = b.name
        if call.bool("normalize", default: false) {
            left = l2Normalized(left, axis: axisA, call: call, suffix: "a")
            right = l2Normalized(right, axis: axisB, call: call, suffix: "b")
        }
        if a.rank == 2, b.rank == 2, axisA == 1, axisB == 1 {
            let product = graph.op("Mul", [left, right], hint: call.hint("Mul"))
            let output = graph.reduce("ReduceSum", product, axes: [1], keepDims: true, hint: call.hint("Dot"))
            return [a.with(name: output, shape: [nil, 1])]
        }
        guard a.rank == 3, b.rank == 3, (1...2).contains(axisA), (1...2).contains(axisB) else {
            throw call.unsupported("axes=\(rawAxes) on inputs of shapes \(a.shape) and \(b.shape)",
                                  "Dot converts rank-2 inputs over their last axis and rank-3 inputs over axes 1 or 2")
        }
        if axisA == 1 { left = graph.transpose(left, perm: [0, 2, 1], hint: call.hint("transpose_a")) }
        if axisB == 2 { right = graph.transpose(right, perm: [0, 2, 1], hint: call.hint("transpose_b")) }
        let output = graph.op("MatMul", [left, right], hint: call.hint("MatMul"))
        let rowsA = a.shape[axisA == 1 ? 2 : 1]
        let columnsB = b.shape[axisB == 1 ? 2 : 1]
        return [a.with(name: output, shape: [nil, rowsA, columnsB])]
    }

    /// x / √max(Σx², 1e-12) along `axis`, as Keras normalizes.
    private static func l2Normalized(_ x: String, axis: Int, call: KerasLayerCall, suffix: String) -> String {
        let graph = call.graph
        let squares = graph.op("Mul", [x, x], hint: call.hint("square_\(suffix)"))
        let sum = graph.reduce("ReduceSum", squares, axes: [axis], keepDims: true, hint: call.hint("sum_squares_\(suffix)"))
        let norm = graph.op("Sqrt", [graph.op("Max", [sum, graph.scalar(1e-12)], hint: call.hint("clamped_\(suffix)"))], hint: call.hint("norm_\(suffix)"))
        return graph.op("Div", [x, norm], hint: call.hint("normalized_\(suffix)"))
    }
}
