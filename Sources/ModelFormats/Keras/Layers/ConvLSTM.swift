import ModelIR

/// `ConvLSTM1D`, `ConvLSTM2D`, `ConvLSTM3D` over a sequence of known length, unrolled step by step:
/// every step's input convolution (the layer's `strides`, `dilation_rate`, `padding`, with the bias)
/// runs as one Conv over batch × time, the recurrent convolution (stride 1, 'same') on the previous
/// output; gates i, f, c, o as Keras orders them, `c = f·c + i·activation(z_c)`,
/// `h = o·activation(c)`, starting from zero states. `go_backwards` walks the steps from the last;
/// `return_sequences` stacks the outputs in the order they are computed. The output is channels
/// first ([batch, filters, (time,) spatial…]).
enum ConvLSTMMapper: KerasLayerMapper {
    static let classNames = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let graph = call.graph
        let x = graph.nativeValue(try call.input())
        try call.requireChannelsLast()
        let spatial = x.rank - 3
        let sizes = spatial >= 1 ? Array(x.shape[2..<(x.rank - 1)]) : []
        guard spatial >= 1, let steps = x.shape[1], steps >= 1, let channels = x.shape.last ?? nil, sizes.allSatisfy({ $0 != nil }) else {
            throw call.unsupported("an input of shape \(x.shape)", "give the input [batch, time, spatial…, channels] a known length and size")
        }
        for option in ["return_state", "stateful"] where call.bool(option, default: false) {
            throw call.unsupported("\(option)=True", "convert the layer with \(option)=False")
        }
        let filters = try call.requiredInt("filters")
        let useBias = call.bool("use_bias", default: true)
        try call.requireWeights(useBias ? 3 : 2)
        let kernel = try call.weight(0, "kernel")
        let recurrent = try call.weight(1, "recurrent_kernel")
        guard kernel.shape.count == spatial + 2, kernel.shape[spatial] == channels, kernel.shape[spatial + 1] == 4 * filters,
              recurrent.shape.count == spatial + 2, recurrent.shape[spatial] == filters, recurrent.shape[spatial + 1] == 4 * filters else {
            throw call.invalid("kernel \(kernel.shape) and recurrent_kernel \(recurrent.shape) do not fit \(channels) channels and \(filters) filters")
        }
        let window = try KerasConvolutionWindow(call, kernel: kernel, what: "kernel")
        let outputSizes = window.outputSizes(sizes)
        let known = outputSizes.compactMap { $0 }
        guard known.count == spatial else { throw call.invalid("the output size of the convolution is unknown") }
        let permutation = [spatial + 1, spatial] + Array(0..<spatial)

        // All steps' input convolutions at once: [batch·time, channels, spatial…] → [batch, time, 4·filters, out…].
        let framesFirst = graph.transpose(x.name, perm: [0, 1, x.rank - 1] + Array(2..<(x.rank - 1)), hint: call.hint("frames_channels_first"))
        let frames = graph.reshape(framesFirst, to: [-1, channels] + sizes.compactMap { $0 }, hint: call.hint("frames"))
        var inputs = [frames, try call.constant("kernel", kernel.permuted(permutation))]
        if useBias { inputs.append(try call.constant("bias", try call.weight(2, "bias"))) }
        let convolved = graph.op("Conv", inputs, try window.convAttributes(spatialSizes: sizes, groups: 1, call: call), hint: call.hint("input_conv"))
        let perStep = graph.reshape(convolved, to: [-1, steps, 4 * filters] + known, hint: call.hint("input_gates"))

        let recurrentKernel = try call.constant("recurrent_kernel", recurrent.permuted(permutation))
        let recurrentSize = Array(recurrent.shape[0..<spatial])
        let pads = zip(known, recurrentSize).map { KerasPadding.same(input: $0, kernel: $1, stride: 1, dilation: 1) }
        let recurrentAttributes: [Attribute] = [.ints("kernel_shape", recurrentSize), .ints("strides", Array(repeating: 1, count: spatial)),
                                                .ints("pads", pads.map(\.before) + pads.map(\.after))]
        let recurrentActivation = call.config["recurrent_activation"] ?? .string("sigmoid")
        let activation = call.config["activation"] ?? .string("tanh")
        let stateShape: [Int?] = [nil] + known.map { Optional($0) } + [filters]
        func state(_ name: String) -> KerasValue { KerasValue(name: name, shape: stateShape, layout: .channelsFirst, dataType: .float) }

        var hidden: String?
        var carry: String?
        var outputs: [String] = []
        let order = call.bool("go_backwards", default: false) ? Array((0..<steps).reversed()) : Array(0..<steps)
        for step in order {
            let hint = "step\(step)"
            let stepIndex = graph.initializer("\(call.scopedName)/step_\(step)", Tensor(name: "", scalar: Int64(step)))
            var gates = graph.op("Gather", [perStep, stepIndex], [.int("axis", 1)], hint: call.hint("\(hint)/input_gates"))
            if let hidden {
                let fromHidden = graph.op("Conv", [hidden, recurrentKernel], recurrentAttributes, hint: call.hint("\(hint)/recurrent_conv"))
                gates = graph.op("Add", [gates, fromHidden], hint: call.hint("\(hint)/gates"))
            }
            let parts = graph.add("Split", [gates, graph.int64s(Array(repeating: filters, count: 4))], [.int("axis", 1)],
                                  hint: call.hint("\(hint)/gate"), outputs: 4)
            let input = try KerasActivation.apply(recurrentActivation, to: state(parts[0]), call: call).name
            let candidate = try KerasActivation.apply(activation, to: state(parts[2]), call: call).name
            let output = try KerasActivation.apply(recurrentActivation, to: state(parts[3]), call: call).name
            var newCarry = graph.op("Mul", [input, candidate], hint: call.hint("\(hint)/written"))
            if let carry {
                let forget = try KerasActivation.apply(recurrentActivation, to: state(parts[1]), call: call).name
                newCarry = graph.op("Add", [graph.op("Mul", [forget, carry], hint: call.hint("\(hint)/kept")), newCarry], hint: call.hint("\(hint)/carry"))
            }
            let squashed = try KerasActivation.apply(activation, to: state(newCarry), call: call).name
            let newHidden = graph.op("Mul", [output, squashed], hint: call.hint("\(hint)/hidden"))
            carry = newCarry
            hidden = newHidden
            outputs.append(newHidden)
        }
        guard let last = hidden else { throw call.invalid("has no steps") }
        guard call.bool("return_sequences", default: false) else { return [state(last)] }
        let stacked = outputs.map { graph.unsqueeze($0, axes: [2], hint: call.hint("step_output")) }
        let sequence = stacked.count == 1 ? stacked[0] : graph.op("Concat", stacked, [.int("axis", 2)], hint: call.hint("sequences"))
        return [KerasValue(name: sequence, shape: [nil, steps] + stateShape.dropFirst(), layout: .channelsFirst, dataType: .float)]
    }
}
