import ModelIR

/// `Conv1D`, `Conv2D`, `Conv3D`: ONNX Conv on channels-first data, TensorFlow's 'same' pads.
enum ConvMapper: KerasLayerMapper {
    static let classNames = ["Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let (x, spatial) = try call.spatialInput()
        let filters = try call.requiredInt("filters")
        let groups = try call.int("groups", default: 1)
        let useBias = call.bool("use_bias", default: true)
        try call.requireWeights(useBias ? 2 : 1)
        let kernel = try call.weight(0, "kernel")
        guard kernel.shape.count == spatial + 2, kernel.shape.last == filters else {
            throw call.invalid("kernel has shape \(kernel.shape), which does not fit \(spatial)-D filters of \(filters) outputs")
        }
        let window = try KerasConvolutionWindow(call, kernel: kernel, what: "kernel")
        // Keras [k..., in/groups, out] → ONNX [out, in/groups, k...].
        let weight = kernel.permuted([spatial + 1, spatial] + Array(0..<spatial))
        var inputs = [call.graph.channelsFirst(x), try call.constant("kernel", weight)]
        if useBias { inputs.append(try call.constant("bias", try call.weight(1, "bias"))) }
        let spatialSizes = Array(x.shape[1...spatial])
        let output = call.graph.op("Conv", inputs, try window.convAttributes(spatialSizes: spatialSizes, groups: groups, call: call),
                                   hint: call.hint("Conv"))
        let value = KerasValue(name: output, shape: [nil] + window.outputSizes(spatialSizes) + [filters], layout: .channelsFirst,
                               dataType: x.dataType)
        return [try call.applyActivation(value)]
    }
}
