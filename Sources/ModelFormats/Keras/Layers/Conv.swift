import ModelIR

/// `Conv1D`, `Conv2D`, `Conv3D`: ONNX Conv on channels-first data, TensorFlow's 'same' pads.
enum ConvMapper: KerasLayerMapper {
    static let classNames = ["Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        try call.requireChannelsLast()
        let spatial = x.rank - 2
        guard spatial >= 1 else { throw call.invalid("expects an input of rank 3 or more, got \(x.shape)") }
        let filters = try call.requiredInt("filters")
        let configuredKernel = try call.positiveInts("kernel_size", count: spatial)
        let strides = try call.positiveInts("strides", count: spatial, default: Array(repeating: 1, count: spatial))
        let dilations = try call.positiveInts("dilation_rate", count: spatial, default: Array(repeating: 1, count: spatial))
        let groups = try call.int("groups", default: 1)
        let padding = call.string("padding", default: "valid")
        let useBias = call.bool("use_bias", default: true)
        try call.requireWeights(useBias ? 2 : 1)
        let kernel = try call.weight(0, "kernel")
        guard kernel.shape.count == spatial + 2, kernel.shape.last == filters else {
            throw call.invalid("kernel has shape \(kernel.shape), which does not fit \(spatial)-D filters of \(filters) outputs")
        }
        let kernelSize = Array(kernel.shape[0..<spatial])
        guard kernelSize == configuredKernel else { throw call.invalid("kernel has shape \(kernel.shape) but kernel_size is \(configuredKernel)") }
        // Keras [k..., in/groups, out] → ONNX [out, in/groups, k...].
        let weight = kernel.permuted([spatial + 1, spatial] + Array(0..<spatial))
        var inputs = [call.graph.channelsFirst(x), try call.constant("kernel", weight)]
        if useBias { inputs.append(try call.constant("bias", try call.weight(1, "bias"))) }
        let spatialSizes = Array(x.shape[1...spatial])
        var attributes: [Attribute] = [.ints("kernel_shape", kernelSize), .ints("strides", strides), .ints("dilations", dilations),
                                       .int("group", groups)]
        attributes += try KerasPadding.attributes(padding: padding, spatial: spatialSizes, kernel: kernelSize, strides: strides,
                                                  dilations: dilations, call: call)
        let output = call.graph.op("Conv", inputs, attributes, hint: call.hint("Conv"))
        let outSizes = spatialSizes.indices.map {
            KerasPadding.outputSize(input: spatialSizes[$0], kernel: kernelSize[$0], stride: strides[$0], dilation: dilations[$0], padding: padding)
        }
        let value = KerasValue(name: output, shape: [nil] + outSizes + [filters], layout: .channelsFirst, dataType: x.dataType)
        return [try call.applyActivation(value)]
    }
}
