import ModelIR

/// `SeparableConv2D` (and `SeparableConv1D`): a depthwise Conv, then a 1×1 Conv with the bias.
enum SeparableConv2DMapper: KerasLayerMapper {
    static let classNames = ["SeparableConv2D", "SeparableConv1D", "SeparableConvolution1D", "SeparableConvolution2D"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        try call.requireChannelsLast()
        let useBias = call.bool("use_bias", default: true)
        try call.requireWeights(useBias ? 3 : 2)
        let depthwise = try DepthwiseConv2DMapper.depthwise(call, x, kernel: try call.weight(0, "depthwise_kernel"), bias: nil,
                                                            what: "depthwise_kernel")
        let pointwise = try call.weight(1, "pointwise_kernel")
        let spatial = x.rank - 2
        guard pointwise.shape.count == spatial + 2, let filters = pointwise.shape.last else {
            throw call.invalid("pointwise_kernel has shape \(pointwise.shape)")
        }
        let weight = pointwise.permuted([spatial + 1, spatial] + Array(0..<spatial))
        var inputs = [depthwise.name, try call.constant("pointwise_kernel", weight)]
        if useBias { inputs.append(try call.constant("bias", try call.weight(2, "bias"))) }
        let ones = Array(repeating: 1, count: spatial)
        let output = call.graph.op("Conv", inputs, [.ints("kernel_shape", ones), .ints("strides", ones), .ints("pads", ones.map { _ in 0 } + ones.map { _ in 0 })],
                                   hint: call.hint("PointwiseConv"))
        let value = depthwise.with(name: output, shape: Array(depthwise.shape.dropLast()) + [filters])
        return [try call.applyActivation(value)]
    }
}
