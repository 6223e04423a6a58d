import ModelIR

/// The window of a Keras convolution layer: the kernel's spatial size (taken from its weight and
/// checked against `kernel_size`), `strides`, `dilation_rate` and `padding`.
struct KerasConvolutionWindow {
    let kernelSize: [Int]
    let strides: [Int]
    let dilations: [Int]
    let padding: String

    /// Reads the window of `call` for a kernel weight of shape `[k..., a, b]`.
    ///
    /// - Parameter what: the weight's name in errors (`kernel`, `depthwise_kernel`).
    /// - Throws: when the kernel has fewer than three axes, when `kernel_size` disagrees with it,
    ///   or when a stride or rate is not positive.
    init(_ call: KerasLayerCall, kernel: KerasArray, what: String) throws(KerasImportError) {
        let spatial = kernel.shape.count - 2
        guard spatial >= 1 else { throw call.invalid("\(what) has shape \(kernel.shape), which has no spatial axes") }
        kernelSize = Array(kernel.shape[0..<spatial])
        let configured = try call.positiveInts("kernel_size", count: spatial, default: kernelSize)
        guard configured == kernelSize else { throw call.invalid("\(what) has shape \(kernel.shape) but kernel_size is \(configured)") }
        strides = try call.positiveInts("strides", count: spatial, default: Array(repeating: 1, count: spatial))
        dilations = try call.positiveInts("dilation_rate", count: spatial, default: Array(repeating: 1, count: spatial))
        padding = call.string("padding", default: "valid")
    }

    /// The attributes of an ONNX Conv with this window over inputs of `spatialSizes`, in `groups` groups.
    func convAttributes(spatialSizes: [Int?], groups: Int, call: KerasLayerCall) throws(KerasImportError) -> [Attribute] {
        [.ints("kernel_shape", kernelSize), .ints("strides", strides), .ints("dilations", dilations), .int("group", groups)]
            + (try KerasPadding.attributes(padding: padding, spatial: spatialSizes, kernel: kernelSize, strides: strides,
                                           dilations: dilations, call: call))
    }

    /// The output sizes of a convolution with this window over inputs of `spatialSizes`.
    func outputSizes(_ spatialSizes: [Int?]) -> [Int?] {
        spatialSizes.indices.map {
            KerasPadding.outputSize(input: spatialSizes[$0], kernel: kernelSize[$0], stride: strides[$0], dilation: dilations[$0], padding: padding)
        }
    }
}
