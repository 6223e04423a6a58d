import ModelIR

/// `Conv1DTranspose`, `Conv2DTranspose`, `Conv3DTranspose`: ONNX ConvTranspose with the pads TensorFlow
/// crops. The output size is Keras's: `input·stride` ('same') or `(input − 1)·stride + max(kernel,
/// stride)` ('valid'), and with `output_padding` p, `(input − 1)·stride + kernel mod 2 + p` ('same')
/// or `(input − 1)·stride + kernel + p` ('valid'), kernel counting its dilation; TensorFlow crops the
/// full transposed convolution to it, `same` starting at half the surplus, and pads zeros after.
enum Conv2DTransposeMapper: KerasLayerMapper {
    static let classNames = ["Conv2DTranspose", "Conv1DTranspose", "Conv3DTranspose", "Convolution1DTranspose", "Convolution2DTranspose",
                             "Convolution3DTranspose"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let (x, spatial) = try call.spatialInput()
        let filters = try call.requiredInt("filters")
        let useBias = call.bool("use_bias", default: true)
        try call.requireWeights(useBias ? 2 : 1)
        let kernel = try call.weight(0, "kernel")
        guard kernel.shape.count == spatial + 2, kernel.shape[spatial] == filters else {
            throw call.invalid("kernel has shape \(kernel.shape), which does not fit \(filters) outputs")
        }
        let window = try KerasConvolutionWindow(call, kernel: kernel, what: "kernel")
        let (kernelSize, strides, dilations, padding) = (window.kernelSize, window.strides, window.dilations, window.padding)
        guard padding == "valid" || padding == "same" else { throw call.unsupported("padding='\(padding)'", "use 'valid' or 'same'") }
        let requestedPadding = call.has("output_padding") ? try call.ints("output_padding", count: spatial) : nil
        if let requestedPadding, zip(requestedPadding, strides).contains(where: { $0 < 0 || $0 >= $1 }) {
            throw call.invalid("output_padding \(requestedPadding) must be at least 0 and less than the strides \(strides)")
        }
        // Keras [k..., out, in] → ONNX [in, out, k...].
        let weight = kernel.permuted([spatial + 1, spatial] + Array(0..<spatial))
        var inputs = [call.graph.channelsFirst(x), try call.constant("kernel", weight)]
        if useBias { inputs.append(try call.constant("bias", try call.weight(1, "bias"))) }
        var begins: [Int] = []
        var ends: [Int] = []
        var outputPadding: [Int] = []
        var outSizes: [Int?] = []
        for axis in 0..<spatial {
            guard let size = x.shape[axis + 1] else {
                throw call.unsupported("an input of unknown spatial size", "give the input a fixed spatial shape")
            }
            let effective = (kernelSize[axis] - 1) * dilations[axis] + 1
            let full = (size - 1) * strides[axis] + effective
            let target: Int
            switch (padding, requestedPadding?[axis]) {
            case ("same", nil): target = size * strides[axis]
            case ("same", let extra?): target = (size - 1) * strides[axis] + effective % 2 + extra
            case (_, nil): target = (size - 1) * strides[axis] + max(effective, strides[axis])
            case (_, let extra?): target = (size - 1) * strides[axis] + effective + extra
            }
            let total = max(full - target, 0)
            begins.append(total / 2)
            ends.append(total - total / 2)
            outputPadding.append(max(target - full, 0))
            outSizes.append(target)
        }
        var attributes: [Attribute] = [.ints("kernel_shape", kernelSize), .ints("strides", strides), .ints("dilations", dilations),
                                       .ints("pads", begins + ends)]
        if outputPadding.contains(where: { $0 > 0 }) { attributes.append(.ints("output_padding", outputPadding)) }
        let output = call.graph.op("ConvTranspose", inputs, attributes, hint: call.hint("ConvTranspose"))
        let value = KerasValue(name: output, shape: [nil] + outSizes + [filters], layout: .channelsFirst, dataType: x.dataType)
        return [try call.applyActivation(value)]
    }
}
