import ModelIR

/// CONV_2D, DEPTHWISE_CONV_2D, CONV_3D and TRANSPOSE_CONV: ONNX Conv / ConvTranspose on NCHW (NCDHW),
/// with the filters permuted at import (OHWI → OIHW; depthwise 1HW(C·M) → (C·M)1HW; DHWIO → OIDHW)
/// and the fused activation.
extension TFLiteGraphBuilder {
    /// `Conv2DOptions` and `DepthwiseConv2DOptions` share padding (0 SAME, 1 VALID) and strides;
    /// they differ in the slots of the activation and the dilations.
    struct ConvolutionOptions {
        var padding: Int8 = 0
        var strides = [1, 1]
        var dilations = [1, 1]
        var activation: Int8 = 0
    }

    /// The options of CONV_2D (`depthwise` false) or DEPTHWISE_CONV_2D `op`.
    func convolutionOptions(_ op: TFLiteOperator, depthwise: Bool) throws(ModelFormatError) -> ConvolutionOptions {
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
        return options
    }

    func convertConv2D(_ op: TFLiteOperator, depthwise: Bool) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let options = try convolutionOptions(op, depthwise: depthwise)
        let input = try value(try requiredInput(op, 0))
        try setOutput(output, try convolution(op, depthwise: depthwise, input: input, options: options, pads: nil))
    }

    /// The filters, bias and fused activation of CONV_2D or DEPTHWISE_CONV_2D `op` applied to the
    /// NHWC value `input` (with the channels of `op`'s input tensor) by `options`; `pads`
    /// ([top, left, bottom, right]) replaces the options' SAME or VALID padding when given.
    /// Returns the NHWC result.
    func convolution(_ op: TFLiteOperator, depthwise: Bool, input: String, options: ConvolutionOptions, pads: [Int]?)
        throws(ModelFormatError) -> String {
        let inputIndex = try requiredInput(op, 0)
        let filterIndex = try requiredInput(op, 1)
        let output = try requiredOutput(op)
        let inputShape = try shape(inputIndex)
        let filterShape = try shape(filterIndex)
        guard inputShape.count == 4, filterShape.count == 4 else {
            throw unsupported("input and filter must have rank 4 (NHWC, OHWI), not \(inputShape.count) and \(filterShape.count)")
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
        var inputs = [channelsFirst(input, rank: 4), weights]
        if let bias = self.input(op, 2) { inputs.append(try value(bias)) }
        let padding: Attribute = pads.map { .ints("pads", $0) } ?? .string("auto_pad", options.padding == 0 ? "SAME_UPPER" : "VALID")
        let attributes: [Attribute] = [
            padding,
            .ints("kernel_shape", [filterShape[1], filterShape[2]]),
            .ints("strides", options.strides),
            .ints("dilations", options.dilations),
            .int("group", group),
        ]
        let convolved = self.op("Conv", inputs, attributes, hint: hint(output))
        let activated = try fusedActivation(options.activation, convolved, hint: hint(output))
        return channelsLast(activated, rank: 4)
    }

    /// CONV_3D: NDHWC input, DHWIO filters permuted to OIDHW at import, `Conv3DOptions`
    /// (padding, strides d/w/h, fused activation, dilations d/w/h), as Conv on NCDHW.
    func convertConv3D(_ op: TFLiteOperator) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let filterIndex = try requiredInput(op, 1)
        let output = try requiredOutput(op)
        let inputShape = try shape(inputIndex)
        let filterShape = try shape(filterIndex)
        guard inputShape.count == 5, filterShape.count == 5 else {
            throw unsupported("input and filter must have rank 5 (NDHWC, DHWIO), not \(inputShape.count) and \(filterShape.count)")
        }
        var padding: Int8 = 0
        var strides = [1, 1, 1]
        var dilations = [1, 1, 1]
        var activation: Int8 = 0
        if let table = op.options {
            padding = try table.int8(0, "padding")
            strides = [Int(try table.int32(1, "stride_d", default: 1)), Int(try table.int32(3, "stride_h", default: 1)), Int(try table.int32(2, "stride_w", default: 1))]
            activation = try table.int8(4, "fused_activation_function")
            dilations = [Int(try table.int32(5, "dilation_d_factor", default: 1)), Int(try table.int32(7, "dilation_h_factor", default: 1)),
                         Int(try table.int32(6, "dilation_w_factor", default: 1))]
        }
        guard (strides + dilations).allSatisfy({ $0 >= 1 }) else { throw malformed("strides \(strides) and dilations \(dilations) must be at least 1") }
        let channels = inputShape[4]
        guard filterShape[3] > 0, channels % filterShape[3] == 0 else {
            throw malformed("input has \(channels) channels, not a multiple of the filter's \(filterShape[3])")
        }
        var inputs = [channelsFirst(try value(inputIndex), rank: 5), try value(filterIndex, permuted: [4, 3, 0, 1, 2])]
        if let bias = input(op, 2) { inputs.append(try value(bias)) }
        let attributes: [Attribute] = [
            .string("auto_pad", padding == 0 ? "SAME_UPPER" : "VALID"),
            .ints("kernel_shape", Array(filterShape[0..<3])),
            .ints("strides", strides),
            .ints("dilations", dilations),
            .int("group", channels / filterShape[3]),
        ]
        let convolved = self.op("Conv", inputs, attributes, hint: hint(output))
        let activated = try fusedActivation(activation, convolved, hint: hint(output))
        try setOutput(output, channelsLast(activated, rank: 5))
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
