import ModelIR

/// CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV: ONNX Conv / ConvTranspose on NCHW, with the
/// filters permuted at import (OHWI → OIHW; depthwise 1HW(C·M) → (C·M)1HW) and the fused activation.
extension TFLiteGraphBuilder {
    /// `Conv2DOptions` and `DepthwiseConv2DOptions` share padding and strides; they differ in the
    /// slots of the activation and the dilations.
    private struct ConvolutionOptions {
        var padding: Int8 = 0
        var strides = [1, 1]
        var dilations = [1, 1]
        var activation: Int8 = 0
    }

    func convertConv2D(_ op: TFLiteOperator, depthwise: Bool) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let filterIndex = try requiredInput(op, 1)
        let output = try requiredOutput(op)
        let inputShape = try shape(inputIndex)
        let filterShape = try shape(filterIndex)
        guard inputShape.count == 4, filterShape.count == 4 else {
            throw unsupported("input and filter must have rank 4 (NHWC, OHWI), not \(inputShape.count) and \(filterShape.count)")
        }
        var options = ConvolutionOptions()
        if let table = op.options {
            options.padding = try table.int8(0, "padding")
            options.strides = [Int(try table.int32(2, "stride_h", default: 1)), Int(try table.int32(1, "stride_w", default: 1))]
            if depthwise {
                options.activation = try table.int8(4, "fused_activation_function")
                options.dilations = [Int(try table.int32(6, "dilation_h_factor", default: 1)), Int(try table.int32(5, "dilation_w_factor", default: 1))]
            } else {
                options.activation = try table.int8(3, "fused_activation_function")
                options.dilations = [Int(try table.int32(5, "dilation_h_factor", default: 1)), Int(try table.int32(4, "dilation_w_factor", default: 1))]
            }
        }
        guard (options.strides + options.dilations).allSatisfy({ $0 >= 1 }) else {
            throw malformed("strides \(options.strides) and dilations \(options.dilations) must be at least 1")
        }
        let channels = inputShape[3]
        let group: Int
        let weights: String
        if depthwise {
            weights = try value(filterIndex, permuted: [3, 0, 1, 2])
            group = channels
        } else {
            weights = try value(filterIndex, permuted: [0, 3, 1, 2])
            guard filterShape[3] > 0, channels % filterShape[3] == 0 else {
                throw malformed("input has \(channels) channels, not a multiple of the filter's \(filterShape[3])")
            }
            group = channels / filterShape[3]
        }
        var inputs = [channelsFirst(try value(inputIndex), rank: 4), weights]
        if let bias = input(op, 2) { inputs.append(try value(bias)) }
        let attributes: [Attribute] = [
            .string("auto_pad", options.padding == 0 ? "SAME_UPPER" : "VALID"),
            .ints("kernel_shape", [filterShape[1], filterShape[2]]),
            .ints("strides", options.strides),
            .ints("dilations", options.dilations),
            .int("group", group),
        ]
        let convolved = self.op("Conv", inputs, attributes, hint: hint(output))
        let activated = try fusedActivation(options.activation, convolved, hint: hint(output))
        try setOutput(output, channelsLast(activated, rank: 4))
    }

    /// TRANSPOSE_CONV: inputs (output_shape, weights OHWI, input, optional bias); explicit pads
    /// as TensorFlow places them (the odd padding at the end).
    func convertTransposeConv(_ op: TFLiteOperator) throws(ModelFormatError) {
        let filterIndex = try requiredInput(op, 1)
        let inputIndex = try requiredInput(op, 2)
        let output = try requiredOutput(op)
        // A computed output shape (free batch) has the static spatial sizes of the output tensor.
        var outputShape = try shape(output)
        if let constant = try constantInts(try requiredInput(op, 0)) { outputShape = constant }
        let inputShape = try shape(inputIndex)
        let filterShape = try shape(filterIndex)
        guard inputShape.count == 4, filterShape.count == 4, outputShape.count == 4 else {
            throw unsupported("input, filter and output shape must have rank 4 (NHWC)")
        }
        var strides = [1, 1]
        var activation: Int8 = 0
        if let table = op.options {
            strides = [Int(try table.int32(2, "stride_h", default: 1)), Int(try table.int32(1, "stride_w", default: 1))]
            activation = try table.int8(3, "fused_activation_function")
        }
        guard strides.allSatisfy({ $0 >= 1 }) else { throw malformed("strides \(strides) must be at least 1") }
        var begins: [Int] = []
        var ends: [Int] = []
        var outputPadding: [Int] = []
        for axis in 0..<2 {
            let kernel = filterShape[axis + 1]
            let total = strides[axis] * (inputShape[axis + 1] - 1) + kernel - outputShape[axis + 1]
            if total < 0 {
                begins.append(0)
                ends.append(0)
                outputPadding.append(-total)
            } else {
                begins.append(total / 2)
                ends.append(total - total / 2)
                outputPadding.append(0)
            }
        }
        var inputs = [channelsFirst(try value(inputIndex), rank: 4), try value(filterIndex, permuted: [3, 0, 1, 2])]
        if let bias = input(op, 3) { inputs.append(try value(bias)) }
        let attributes: [Attribute] = [
            .ints("kernel_shape", [filterShape[1], filterShape[2]]),
            .ints("strides", strides),
            .ints("pads", begins + ends),
            .ints("output_padding", outputPadding),
        ]
        let convolved = self.op("ConvTranspose", inputs, attributes, hint: hint(output))
        let activated = try fusedActivation(activation, convolved, hint: hint(output))
        try setOutput(output, channelsLast(activated, rank: 4))
    }
}
