import Dispatch
import ModelIR

/// BatchNormalization kernels that normalize with given statistics (inference mode, per channel).
protocol InferenceBatchNormalization {
    var fusable: Bool { get }
    var epsilonValue: Double { get }
}

extension BatchNormalization_1: InferenceBatchNormalization {
    var fusable: Bool { spatial }
    var epsilonValue: Double { epsilon }
}

extension BatchNormalization_7: InferenceBatchNormalization {
    var fusable: Bool { spatial }
    var epsilonValue: Double { epsilon }
}

extension BatchNormalization_14: InferenceBatchNormalization {
    var fusable: Bool { !training }
    var epsilonValue: Double { epsilon }
}

/// A float 2-D Conv with its epilogue: bias, an optional inference BatchNormalization folded into a
/// per-channel scale and shift, and an optional Relu or Clip, applied in one pass over the output.
///
/// Inputs: X, W, B (or nil), then — with a normalization — scale, B, mean and var of the
/// BatchNormalization. Depthwise convolutions (one input channel per group, one map per group)
/// run `DepthwiseConv`, which applies the epilogue as it stores. With weights prepared at plan
/// time (`preparing(weight:constants:)`) on an AVX-512 CPU, the rest run `FloatConvGemm` with the
/// epilogue fused; otherwise 1×1 unit-stride unpadded ones multiply X directly and the rest go
/// through `Im2col` and `sgemm`, followed by an epilogue pass. Other types and ranks run `Conv_1`
/// and the reference epilogue.
struct FusedConv: Kernel {
    static let opType = "Conv", sinceVersion = 1
    static let inputArity = 2...7

    struct Normalization {
        let epsilon: Double
        let inputs: [Int]
    }

    enum Activation {
        case none
        case relu
        case clip(Float, Float)

        /// The interval outputs are clamped to.
        var bounds: (low: Float, high: Float) {
            switch self {
            case .none: (-.infinity, .infinity)
            case .relu: (0, .infinity)
            case .clip(let low, let high): (low, high)
            }
        }
    }

    /// Constant weights packed for `FloatConvGemm`, with the bias and normalization folded into
    /// one scale and shift per map.
    struct Prepared {
        let weights: FloatConvWeights
        let scale: [Float]
        let shift: [Float]
    }

    let conv: Conv_1
    let epsilon: Double?
    let activation: Activation
    /// A per-channel affine chain absorbed after the normalization (then `activation` is `.none`):
    /// its scale and shift fold into the epilogue's and its clamp replaces the activation.
    let following: FastChannelAffine?
    let prepared: Prepared?

    init(conv: Conv_1, normalization: Normalization?, activation: Activation, following: FastChannelAffine? = nil) {
        self.conv = conv
        epsilon = normalization?.epsilon
        self.activation = following == nil ? activation : .none
        self.following = following
        prepared = nil
    }

    init(_ node: KernelNode) throws {
        conv = try Conv_1(node)
        epsilon = nil
        activation = .none
        following = nil
        prepared = nil
    }

    private init(_ base: FusedConv, prepared: Prepared) {
        conv = base.conv
        epsilon = base.epsilon
        activation = base.activation
        following = base.following
        self.prepared = prepared
    }

    /// The interval the epilogue clamps to.
    var bounds: (low: Float, high: Float) { following?.clamp ?? activation.bounds }
    private var clamps: Bool { bounds.low != -.infinity || bounds.high != .infinity }

    /// Grouped convolutions with fewer multiply-adds per output than this keep OpenBLAS: packing
    /// such shallow products costs more than it saves (shufflenet's 1×1 group convolutions).
    static let minimumGroupedDepth = 128

    /// This kernel without packed weights: it reads W from its inputs.
    var unprepared: FusedConv {
        FusedConv(conv: conv, normalization: epsilon.map { Normalization(epsilon: $0, inputs: []) }, activation: activation,
                  following: following)
    }

    /// This kernel with `weight` packed once and the epilogue folded from `constants` (the
    /// kernel's inputs, B and the normalization known), or itself when `FloatConvGemm` is off,
    /// the convolution is depthwise, or the constants do not fit.
    func preparing(weight: Tensor, constants: [Tensor?]) -> FusedConv {
        let group = conv.group
        guard FloatConvGemm.isEnabled, weight.dataType == .float, weight.rank == 4, group >= 1,
              !(weight.shape[1] == 1 && weight.shape[0] == group),
              group == 1 || weight.shape[1...].reduce(1, *) >= Self.minimumGroupedDepth,
              let weights = FloatConvWeights(weight, group: group) else { return self }
        let maps = weight.shape[0], bias = constants.optional(2)
        if let bias, bias.dataType != .float || bias.elementCount != maps { return self }
        guard let (scale, shift) = try? epilogue(maps: maps, bias: bias, constants) else { return self }
        return FusedConv(self, prepared: Prepared(weights: weights, scale: scale ?? [Float](repeating: 1, count: maps),
                                                  shift: shift ?? [Float](repeating: 0, count: maps)))
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let tensors = try tensorInputs(inputs)
        return [.tensor(try compute(tensors))]
    }

    func compute(_ inputs: [Tensor?]) throws -> Tensor {
        let x = try inputs.required(0), w = try inputs.required(1), b = inputs.optional(2)
        guard x.dataType == .float, w.dataType == .float, x.rank == 4, w.rank == 4, w.shape[1] > 0, b.map({ $0.dataType == .float }) ?? true else {
            return try referenceCompute(inputs)
        }
        let channels = x.shape[1], maps = w.shape[0], group = conv.group
        guard w.shape[1] * group == channels, maps % group == 0 else {
            throw KernelError.invalidInput("W \(w.shape) does not fit \(channels) input channels in \(group) groups")
        }
        if let b, b.elementCount != maps { throw KernelError.invalidInput("B has \(b.elementCount) elements for \(maps) feature maps") }
        let kernel = Array(w.shape[2...])
        if let declared = conv.spatial.kernelShape, declared != kernel {
            throw KernelError.invalidInput("kernel_shape \(declared) does not match W \(w.shape)")
        }
        let geometry = try conv.spatial.geometry(input: Array(x.shape[2...]), kernel: kernel)
        if let prepared, prepared.weights.shape == w.shape, FloatConvGemm.geometry(geometry, channels: channels / group) != nil {
            return try packedCompute(x, prepared, geometry: geometry)
        }
        let (scale, shift) = try epilogue(maps: maps, bias: b, inputs)
        let shape = [x.shape[0], maps] + geometry.output
        return try x.withElements(Float.self) { xs in
            try w.withElements(Float.self) { ws in
                try Tensor.overwritten(Float.self, shape: shape) { out in
                    guard let xBase = xs.baseAddress, let wBase = ws.baseAddress, let oBase = out.baseAddress else { return }
                    if group == channels && maps == channels {
                        runDepthwise(x: xBase, batch: x.shape[0], channels: channels, w: wBase, geometry: geometry,
                                     scale: scale, shift: shift, output: oBase)
                        return
                    }
                    try FastConvolution.run(x: xBase, batch: x.shape[0], channels: channels, w: wBase, maps: maps, group: group,
                                            geometry: geometry, output: oBase)
                    let positions = geometry.output.reduce(1, *)
                    applyEpilogue(oBase, rows: x.shape[0] * maps, maps: maps, positions: positions, scale: scale, shift: shift)
                }
            }
        }
    }

    /// The convolution on `FloatConvGemm` with the prepared weights and epilogue.
    private func packedCompute(_ x: Tensor, _ prepared: Prepared, geometry: SpatialGeometry) throws -> Tensor {
        let (low, high) = bounds
        return try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: [x.shape[0], prepared.weights.shape[0]] + geometry.output) { out in
                guard let xBase = xs.baseAddress, let oBase = out.baseAddress else { return }
                prepared.scale.withUnsafeBufferPointer { scale in
                    prepared.shift.withUnsafeBufferPointer { shift in
                        guard let scale = scale.baseAddress, let shift = shift.baseAddress else { return }
                        FloatConvGemm.run(prepared.weights, x: xBase, batch: x.shape[0], channels: x.shape[1], geometry: geometry,
                                          scale: scale, shift: shift, low: low, high: high, output: oBase)
                    }
                }
            }
        }
    }

    /// Per-channel scale (nil for 1) and shift (nil for 0) folding bias, normalization and the
    /// absorbed affine chain.
    func epilogue(maps: Int, bias: Tensor?, _ inputs: [Tensor?]) throws -> ([Float]?, [Float]?) {
        let (scale, shift) = try convolutionEpilogue(maps: maps, bias: bias, inputs)
        guard let following else { return (scale, shift) }
        guard let (k, d, _, _) = try following.coefficients(channels: maps, rank: 4) else {
            throw KernelError.invalidInput("the absorbed per-channel chain does not fit \(maps) feature maps")
        }
        return ((0..<maps).map { (scale?[$0] ?? 1) * k[$0] }, (0..<maps).map { (shift?[$0] ?? 0) * k[$0] + d[$0] })
    }

    private func convolutionEpilogue(maps: Int, bias: Tensor?, _ inputs: [Tensor?]) throws -> ([Float]?, [Float]?) {
        let b = try bias?.doubleValues()
        guard let epsilon else { return (nil, b.map { $0.map(Float.init) }) }
        let scale = try inputs.required(3).doubleValues(), shift = try inputs.required(4).doubleValues()
        let mean = try inputs.required(5).doubleValues(), variance = try inputs.required(6).doubleValues()
        guard scale.count == maps, shift.count == maps, mean.count == maps, variance.count == maps else {
            throw KernelError.invalidInput("scale, B, mean and var of the BatchNormalization do not have \(maps) elements")
        }
        let a = (0..<maps).map { scale[$0] / (variance[$0] + epsilon).squareRoot() }
        let c = (0..<maps).map { shift[$0] + ((b?[$0] ?? 0) - mean[$0]) * a[$0] }
        return (a.map(Float.init), c.map(Float.init))
    }

    /// A depthwise convolution with the epilogue applied as its outputs are stored.
    private func runDepthwise(x: UnsafePointer<Float>, batch: Int, channels: Int, w: UnsafePointer<Float>, geometry: SpatialGeometry,
                              scale: [Float]?, shift: [Float]?, output: UnsafeMutablePointer<Float>) {
        let (low, high) = bounds
        (scale ?? []).withUnsafeBufferPointer { a in
            (shift ?? []).withUnsafeBufferPointer { c in
                let epilogue = scale == nil && shift == nil && !clamps ? nil
                    : DepthwiseConv.Epilogue(scale: scale == nil ? nil : a.baseAddress, shift: shift == nil ? nil : c.baseAddress,
                                             low: low, high: high)
                DepthwiseConv.run(x: x, planes: batch * channels, channels: channels, w: w, geometry: geometry,
                                  epilogue: epilogue, output: output)
            }
        }
    }

    private func applyEpilogue(_ out: UnsafeMutablePointer<Float>, rows: Int, maps: Int, positions: Int, scale: [Float]?, shift: [Float]?) {
        let (low, high) = bounds
        let clamps = clamps
        if scale == nil && shift == nil && !clamps { return }
        ParallelFor.run(rows, grain: max(1, 16384 / max(positions, 1))) { chunk in
        for row in chunk {
            let m = row % maps
            let a = scale?[m] ?? 1, c = shift?[m] ?? 0
            let line = out + row * positions
            if clamps {
                for p in 0..<positions {
                    let v = line[p] * a + c
                    line[p] = v < low ? low : (v > high ? high : v)
                }
            } else {
                for p in 0..<positions { line[p] = line[p] * a + c }
            }
        }
        }
    }

    /// The step-by-step result: Conv_1, BatchNormalization, then the activation.
    private func referenceCompute(_ inputs: [Tensor?]) throws -> Tensor {
        var y = try conv.compute(Array(inputs.prefix(3))).first.flatMap { $0 }
        if let epsilon, let value = y {
            y = try batchNormalization([value] + Array(inputs[3...]), epsilon: epsilon, perActivation: false)
        }
        guard let result = y else { throw KernelError.invalidInput("Conv produced no output") }
        if let following {
            guard let value = try following.run([.tensor(result)], context: KernelContext(frame: nil)).first??.tensor else {
                throw KernelError.invalidInput("the absorbed per-channel chain produced no output")
            }
            return value
        }
        let bounds: [Tensor?]
        switch activation {
        case .none: return result
        case .relu: bounds = [try Tensor(converting: [0], to: result.dataType, shape: []), nil]
        case .clip(let low, let high):
            bounds = [try Tensor(converting: [Double(low)], to: result.dataType, shape: []),
                      try Tensor(converting: [Double(high)], to: result.dataType, shape: [])]
        }
        guard let clipped = try Clip_11().compute([result] + bounds).first ?? nil else {
            throw KernelError.invalidInput("Clip produced no output")
        }
        return clipped
    }
}
