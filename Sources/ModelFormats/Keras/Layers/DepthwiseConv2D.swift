import ModelIR

/// `DepthwiseConv2D` (and `DepthwiseConv1D`): a grouped Conv with one group per input channel.
enum DepthwiseConv2DMapper: KerasLayerMapper {
    static let classNames = ["DepthwiseConv2D", "DepthwiseConv1D"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        try call.requireChannelsLast()
        let useBias = call.bool("use_bias", default: true)
        try call.requireWeights(useBias ? 2 : 1)
        let output = try depthwise(call, x, kernel: try call.weight(0, "depthwise_kernel"), bias: useBias ? try call.weight(1, "bias") : nil,
                                   what: "depthwise_kernel")
        return [try call.applyActivation(output)]
    }

    /// A depthwise convolution of `x` with a Keras kernel [k..., in, multiplier].
    static func depthwise(_ call: KerasLayerCall, _ x: KerasValue, kernel: KerasArray, bias: KerasArray?, what: String) throws(KerasImportError) -> KerasValue {
        let spatial = x.rank - 2
        guard spatial >= 1, kernel.shape.count == spatial + 2, let channels = x.shape.last ?? nil, channels > 0, kernel.shape[spatial] == channels else {
            throw call.invalid("\(what) has shape \(kernel.shape), which does not fit the input \(x.shape)")
        }
        let multiplier = kernel.shape[spatial + 1]
        let window = try KerasConvolutionWindow(call, kernel: kernel, what: what)
        // [k..., in, m] → [in, m, k...] → [in·m, 1, k...]: output channel c·m + j as in Keras.
        let weight = kernel.permuted([spatial, spatial + 1] + Array(0..<spatial)).reshaped([channels * multiplier, 1] + window.kernelSize)
        var inputs = [call.graph.channelsFirst(x), try call.constant(what, weight)]
        if let bias { inputs.append(try call.constant("bias", bias)) }
        let spatialSizes = Array(x.shape[1...spatial])
        let output = call.graph.op("Conv", inputs, try window.convAttributes(spatialSizes: spatialSizes, groups: channels, call: call),
                                   hint: call.hint("DepthwiseConv"))
        let outSizes = window.outputSizes(spatialSizes)
        return KerasValue(name: output, shape: [nil] + outSizes + [channels * multiplier], layout: .channelsFirst, dataType: x.dataType)
    }
}
