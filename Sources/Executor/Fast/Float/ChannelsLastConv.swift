#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDNNLKernels
import CFloatKernels
import ModelIR

/// A `FusedConv` on channels-last activations: X is [N, H, W, C] and Y is [N, OH, OW, M]. The
/// inputs are the fused step's own (X, W, B, then the normalization's); the epilogue's scale folds
/// into the weights and its shift into the bias, and the clamp runs as the primitive stores. Each
/// input shape gets one oneDNN primitive (`mg_nhwc_conv_create`), made on first use with the weights
/// reordered into its layout, and an activation after the clamp (`Activation`) runs as a post-op
/// too; where oneDNN makes none, the fused kernel and the activation run between two transposes. `ChannelsLastRegions` puts these steps where the plan's values are channels-last.
struct ChannelsLastConv: Kernel {
    static let opType = "Conv", sinceVersion = 1

    /// False when `MODELGATE_FLOAT_KERNEL=blas` or `MODELGATE_CHANNELS_LAST=0`: float convolutions keep
    /// their channels-first kernels. Read when a plan is made; tests set it to check both.
    nonisolated(unsafe) static var isEnabled = !KernelChoice.openBLASRequested
        && getenv("MODELGATE_CHANNELS_LAST").map { String(cString: $0) } != "0"

    /// What the step applies to each output after the fused convolution's clamp, as the primitive
    /// stores it (a following activation step absorbed by `ChannelsLastRegions`).
    enum Activation: Sendable, Equatable {
        case identity
        case relu
        case sigmoid
        /// x · sigmoid(x), EfficientNet's and RegNet's SiLU.
        case silu
        /// x · min(max(x / 6 + 1/2, 0), 1), MobileNetV3's HardSwish.
        case hardSwish
        /// min(max(alpha · x + beta, 0), 1).
        case hardSigmoid(alpha: Float, beta: Float)

        /// The activation the fast plan's `kernel` computes on its only input, or nil for any other kernel.
        init?(of kernel: any Kernel) {
            if let unary = kernel as? FastUnary {
                switch unary.function {
                case .relu: self = .relu
                case .sigmoid: self = .sigmoid
                case .silu: self = .silu
                case .erf: return nil
                }
            } else if kernel is Relu_1 {
                self = .relu
            } else if kernel is HardSwish_14 {
                self = .hardSwish
            } else if let hard = kernel as? HardSigmoid_1 {
                self = .hardSigmoid(alpha: hard.alpha, beta: hard.beta)
            } else {
                return nil
            }
        }

        var primitiveArguments: (mg_nhwc_activation, Float, Float) {
            switch self {
            case .identity: (MG_NHWC_IDENTITY, 0, 0)
            case .relu: (MG_NHWC_RELU, 0, 0)
            case .sigmoid: (MG_NHWC_SIGMOID, 0, 0)
            case .silu: (MG_NHWC_SILU, 0, 0)
            case .hardSwish: (MG_NHWC_HARD_SWISH, 0, 0)
            case .hardSigmoid(let alpha, let beta): (MG_NHWC_HARD_SIGMOID, alpha, beta)
            }
        }

        /// `y` with the activation applied to every element by the kernels the activation came from,
        /// for runs without a primitive.
        func applied(to y: Tensor) throws -> Tensor {
            switch self {
            case .identity: return y
            case .relu: return try Relu_1().compute([y]).required(0)
            case .hardSwish: return try HardSwish_14().compute([y]).required(0)
            case .hardSigmoid(let alpha, let beta): return try HardSigmoid_1(alpha: alpha, beta: beta).compute([y]).required(0)
            case .sigmoid, .silu:
                return try y.withElements(Float.self) { values in
                    try Tensor.overwritten(Float.self, shape: y.shape) { out in
                        guard let source = values.baseAddress, let target = out.baseAddress else { return }
                        if self == .sigmoid { mg_sigmoid(source, values.count, target) } else { mg_silu(source, values.count, target) }
                    }
                }
            }
        }
    }

    /// A value the step adds to the convolution's output before the activation: a residual
    /// connection's Add, absorbed by `ChannelsLastRegions`.
    struct Residual: Sendable {
        /// The step's input that holds it.
        let input: Int
        /// The absorbed Add's kernel, for a residual whose shape is not the output's (broadcast).
        let add: any Kernel
        /// Whether the convolution's output was the Add's first operand.
        let convolutionFirst: Bool
    }

    let fused: FusedConv
    let residual: Residual?
    let activation: Activation
    private let primitives = OneDNNPrimitives<ChannelsLastPrimitive>()

    init(_ node: KernelNode) throws { throw KernelError.unsupported("ChannelsLastConv is made from a fused convolution") }

    /// The channels-last form of `fused` (its constant weights unpacked: the primitive holds its own
    /// copy), adding `residual`, then applying `activation`.
    init(fused: FusedConv, residual: Residual? = nil, activation: Activation = .identity) {
        self.fused = fused.unprepared
        self.residual = residual
        self.activation = activation
    }

    /// This convolution followed by `activation`.
    func followed(by activation: Activation) -> ChannelsLastConv {
        ChannelsLastConv(fused: fused, residual: residual, activation: activation)
    }

    /// This convolution adding `residual` (before any activation).
    func adding(_ residual: Residual) -> ChannelsLastConv {
        ChannelsLastConv(fused: fused, residual: residual, activation: activation)
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let tensors = try tensorInputs(inputs)
        let x = try tensors.required(0), w = try tensors.required(1)
        guard x.dataType == .float, w.dataType == .float, x.rank == 4, w.rank == 4 else {
            throw KernelError.invalidInput("channels-last Conv expects 4-D float X and W, got \(x.dataType) \(x.shape) and \(w.dataType) \(w.shape)")
        }
        let (batch, height, width, channels) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let maps = w.shape[0], group = fused.conv.group
        guard w.shape[1] * group == channels, maps % group == 0 else {
            throw KernelError.invalidInput("W \(w.shape) does not fit \(channels) input channels in \(group) groups")
        }
        let geometry = try fused.conv.spatial.geometry(input: [height, width], kernel: [w.shape[2], w.shape[3]])
        let shape = [batch, geometry.output[0], geometry.output[1], maps]
        let added = try residual.map { try tensors.required($0.input) }
        let convolutionInputs = Array(tensors.prefix(residual?.input ?? tensors.count))
        guard added.map({ $0.shape == shape && $0.dataType == .float }) ?? true,
              let primitive = try primitives.primitive(for: x.shape, make: {
                  try makePrimitive(geometry, batch: batch, channels: channels, convolutionInputs)
              }) else {
            return [.tensor(try withoutPrimitive(x, convolutionInputs, adding: added, context: context))]
        }
        return [.tensor(try primitive.run(x, residual: added, shape: shape))]
    }

    /// The step's result where oneDNN makes no primitive or the residual broadcasts: the fused
    /// kernel channels-first between two transposes, the absorbed Add, then the activation.
    private func withoutPrimitive(_ x: Tensor, _ inputs: [Tensor?], adding added: Tensor?, context: KernelContext) throws -> Tensor {
        guard var y = try ChannelsLastReorder.aroundChannelsFirst(x, "Conv", { try fused.compute([$0] + inputs.dropFirst()) }).first??.tensor else {
            throw KernelError.invalidInput("the channels-first Conv produced no tensor")
        }
        if let residual, let added {
            let operands: [RuntimeValue?] = residual.convolutionFirst ? [.tensor(y), .tensor(added)] : [.tensor(added), .tensor(y)]
            guard let sum = try residual.add.run(operands, context: context).first??.tensor else {
                throw KernelError.invalidInput("the absorbed residual Add produced no tensor")
            }
            y = sum
        }
        return try activation.applied(to: y)
    }

    /// The primitive for one input shape, with W scaled per map and the shift as bias; nil when
    /// oneDNN makes none for this geometry.
    private func makePrimitive(_ geometry: SpatialGeometry, batch: Int, channels: Int, _ inputs: [Tensor?]) throws -> ChannelsLastPrimitive? {
        let w = try inputs.required(1)
        let maps = w.shape[0], perMap = w.elementCount / max(maps, 1)
        let (scale, shift) = try fused.epilogue(maps: maps, bias: inputs.optional(2), inputs)
        var weights = try w.floatValues()
        if let scale {
            for m in 0..<maps { for i in m * perMap..<(m + 1) * perMap { weights[i] *= scale[m] } }
        }
        let (low, high) = fused.bounds
        let clamps = low != -.infinity || high != .infinity
        let (kind, alpha, beta) = activation.primitiveArguments
        var description = mg_nhwc_conv_geometry(
            batch: Int32(batch), channels: Int32(channels), height: Int32(geometry.input[0]), width: Int32(geometry.input[1]),
            maps: Int32(maps), groups: Int32(fused.conv.group), kernel_h: Int32(geometry.kernel[0]), kernel_w: Int32(geometry.kernel[1]),
            stride_h: Int32(geometry.strides[0]), stride_w: Int32(geometry.strides[1]),
            dilation_h: Int32(geometry.dilations[0]), dilation_w: Int32(geometry.dilations[1]),
            pad_top: Int32(geometry.padBegin[0]), pad_left: Int32(geometry.padBegin[1]),
            pad_bottom: Int32(geometry.padEnd[0]), pad_right: Int32(geometry.padEnd[1]),
            out_h: Int32(geometry.output[0]), out_w: Int32(geometry.output[1]))
        let pointer = weights.withUnsafeBufferPointer { w in
            (shift ?? []).withUnsafeBufferPointer { b in
                mg_nhwc_conv_create(&description, w.baseAddress, shift == nil ? nil : b.baseAddress,
                                    clamps ? max(low, -.greatestFiniteMagnitude) : 0, clamps ? min(high, .greatestFiniteMagnitude) : 0,
                                    clamps ? 1 : 0, residual == nil ? 0 : 1, kind, alpha, beta)
            }
        }
        return pointer.map(ChannelsLastPrimitive.init)
    }

    /// oneDNN's names for the implementations this step has run, for tests and profiles.
    var implementations: [String] { primitives.implementations }
}
