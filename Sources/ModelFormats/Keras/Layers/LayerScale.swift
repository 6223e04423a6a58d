import ModelIR

/// keras.applications' `LayerScale` (ConvNeXt): x·γ with one learned factor per channel.
enum LayerScaleMapper: KerasLayerMapper {
    static let classNames = ["LayerScale"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        try call.requireWeights(1)
        let gamma = try call.weight(0, "gamma")
        guard gamma.shape.count == 1, let channels = x.shape.last ?? nil, gamma.count == channels else {
            throw call.invalid("gamma has shape \(gamma.shape), which does not fit the input \(x.shape)")
        }
        let shape = x.layout == .channelsFirst && x.rank >= 3 ? [channels] + Array(repeating: 1, count: x.rank - 2) : [channels]
        let value = x.layout == .channelsFirst && x.rank >= 3 ? x : call.graph.nativeValue(x)
        let output = call.graph.op("Mul", [value.name, try call.constant("gamma", gamma.reshaped(shape))], hint: call.hint("Mul"))
        return [value.with(name: output)]
    }
}
