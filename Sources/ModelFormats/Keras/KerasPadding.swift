import ModelIR

/// Keras's padding modes as explicit ONNX pads, computed as TensorFlow computes them.
enum KerasPadding {
    /// TensorFlow's 'same' padding of one spatial axis: the total that makes the output
    /// ceil(input / stride) long, with the odd pixel at the end.
    static func same(input: Int, kernel: Int, stride: Int, dilation: Int) -> (before: Int, after: Int) {
        let effective = (kernel - 1) * dilation + 1
        let output = (input + stride - 1) / stride
        let total = max((output - 1) * stride + effective - input, 0)
        return (total / 2, total - total / 2)
    }

    /// The output length of a convolution or pool along one axis.
    static func outputSize(input: Int?, kernel: Int, stride: Int, dilation: Int, padding: String) -> Int? {
        guard let input else { return nil }
        let effective = (kernel - 1) * dilation + 1
        switch padding {
        case "same", "causal": return (input + stride - 1) / stride
        default: return max((input - effective) / stride + 1, 0)
        }
    }

    /// ONNX `pads` (all begins, then all ends) or `auto_pad` for a convolution or pool over
    /// `spatial` input sizes.
    static func attributes(padding: String, spatial: [Int?], kernel: [Int], strides: [Int], dilations: [Int],
                           call: KerasLayerCall) throws(KerasImportError) -> [Attribute] {
        switch padding {
        case "valid":
            return [.ints("pads", Array(repeating: 0, count: 2 * spatial.count))]
        case "same":
            var begins: [Int] = []
            var ends: [Int] = []
            for axis in spatial.indices {
                guard let size = spatial[axis] else { return [.string("auto_pad", "SAME_UPPER")] }
                let pads = same(input: size, kernel: kernel[axis], stride: strides[axis], dilation: dilations[axis])
                begins.append(pads.before)
                ends.append(pads.after)
            }
            return [.ints("pads", begins + ends)]
        case "causal":
            guard spatial.count == 1 else { throw call.unsupported("padding='causal'", "causal padding exists for Conv1D only") }
            return [.ints("pads", [(kernel[0] - 1) * dilations[0], 0])]
        default:
            throw call.unsupported("padding='\(padding)'", "use padding='valid' or 'same'")
        }
    }
}
