import ModelIR

/// `PReLU`: ONNX PRelu with the learned slopes laid out like the input's ONNX value.
enum PReLUMapper: KerasLayerMapper {
    static let classNames = ["PReLU"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let input = try call.input()
        let x = input.rank == 2 ? call.graph.nativeValue(input) : input
        try call.requireWeights(1)
        var alpha = try call.weight(0, "alpha")
        guard alpha.shape.count == x.rank - 1 else {
            throw call.invalid("alpha has shape \(alpha.shape), which does not fit the input \(x.shape)")
        }
        if x.layout == .channelsFirst, x.rank >= 3 {
            let perm = KerasGraphBuilder.channelsFirstPermutation(rank: x.rank).dropFirst().map { $0 - 1 }
            alpha = alpha.permuted(Array(perm))
        }
        let output = call.graph.op("PRelu", [x.name, try call.constant("alpha", alpha)], hint: call.hint("PRelu"))
        return [x.with(name: output)]
    }
}
