import CQuantizedKernels
import ModelIR

/// A 2-D Conv whose input is `DequantizeLinear(x)` of an int8 or uint8 `x` with per-tensor
/// parameters and whose weight is `DequantizeLinear` of constant int8 weights (zero point 0, per
/// tensor or per output channel), run on the integers: `x` through an 8-bit im2col (none for
/// unpadded unit-stride 1×1), `Int8Gemm` against the weights packed at session creation, then
/// the `IntegerEpilogue`: `acc · (s_x · s_w[m])` plus the bias and the fused
/// BatchNormalization/Relu/Clip of `fused`, or with `output` the result written quantized (the
/// QuantizeLinear that reads it, absorbed) as QLinearConv requantizes it. Depthwise convolutions
/// (one input channel and one map per group) sum the zero-shifted integers exactly (see `depthwise`).
///
/// The epilogue is computed once when B and the normalization are constants known to the plan
/// (`preparing(constants:)`), again whenever `output` is set.
///
/// Inputs: x (the quantized tensor, not its dequantized value), nil, then the inputs of
/// `FusedConv` from B on. An `x` of another type or rank is dequantized and run by `fused`.
struct QuantizedConv: QuantizingKernel {
    static let opType = "Conv", sinceVersion = 1
    static let inputArity = 1...7

    let fused: FusedConv
    let input: ScalarQuantization
    /// The int8 weights [maps, channels / group, kH, kW] and the scale of each map.
    let weight: Tensor
    let weightScales: [Float]
    /// The weights of each group, packed.
    let groups: [Int8Weights]
    /// A depthwise convolution's int8 weights as floats (exact), for `depthwise`.
    let depthwiseWeights: [Float]?
    /// The bias as the int32 levels of a DequantizeLinear with scale `s_x · s_w[m]`, when it is one.
    let integerBias: [Int32]?
    /// B and the normalization (the kernel's inputs), when constant.
    private var constants: [Tensor?]?
    /// The epilogue for inputs of `input`'s type and for `output`, when computed at plan time.
    private(set) var prepared: IntegerEpilogue?
    /// The parameters the result is quantized with; nil for a float result.
    var output: ScalarQuantization? {
        didSet { prepared = constants.flatMap { try? epilogue(bias: $0.optional(2), $0) } }
    }

    /// True for one input channel and one map per group: the product runs on `depthwise`.
    var isDepthwise: Bool { weight.shape[1] == 1 && weight.shape[0] == fused.conv.group }

    /// The kernel, or nil when the weights are not a 4-D int8 tensor with one scale or one per map,
    /// or a group's product is too deep for exact int32 accumulation. `bias` is where B comes
    /// from when it is a DequantizeLinear of int32 values.
    init?(fused: FusedConv, input: ScalarQuantization, weight: Tensor, scale: Tensor, bias: QuantizedPlan.BiasSource? = nil) {
        let group = fused.conv.group
        guard weight.dataType == .int8, weight.rank == 4, group >= 1, weight.shape[0] % group == 0, weight.shape[0] > 0,
              let scales = try? scale.floatValues(), scales.count == 1 || scales.count == weight.shape[0] else { return nil }
        let maps = weight.shape[0], depth = weight.shape[1...].reduce(1, *)
        guard depth > 0, depth <= Self.maxDepth, maps * depth <= Int(Int32.max) else { return nil }
        self.fused = fused
        self.input = input
        self.weight = weight
        weightScales = scales.count == 1 ? [Float](repeating: scales[0], count: maps) : scales
        let groupMaps = maps / group
        guard let packed = try? weight.withElements(Int8.self, { values -> [Int8Weights] in
            guard let base = values.baseAddress else { return [] }
            return (0..<group).map { Int8Weights(base + $0 * groupMaps * depth, rows: groupMaps, columns: depth, stride: depth) }
        }), packed.count == group else { return nil }
        groups = packed
        depthwiseWeights = weight.shape[1] == 1 && groupMaps == 1 ? (try? weight.withElements(Int8.self) { $0.map { Float($0) } }) : nil
        integerBias = bias?.integerBias(inputScale: input.scale, weightScales: weightScales)
    }

    init(_ node: KernelNode) throws {
        throw KernelError.invalidInput("QuantizedConv is made by the executor's fast plan, not from a node")
    }

    /// This kernel with its epilogue computed from `constants`, the kernel's inputs with B and the
    /// normalization (all constant), or itself when they do not fit.
    func preparing(constants: [Tensor?]) -> QuantizedConv {
        guard let epilogue = try? epilogue(bias: constants.optional(2), constants) else { return self }
        var result = self
        result.constants = constants
        result.prepared = epilogue
        return result
    }

    /// The epilogue for `input`'s zero point and type and for `output`, with bias `b` and the
    /// normalization in `inputs`.
    private func epilogue(bias b: Tensor?, _ inputs: [Tensor?]) throws -> IntegerEpilogue {
        let maps = weight.shape[0]
        if let b, b.elementCount != maps { throw KernelError.invalidInput("B has \(b.elementCount) elements for \(maps) feature maps") }
        let (a, c) = try fused.epilogue(maps: maps, bias: b, inputs)
        let zero = input.zeroPoint + (input.type == .int8 ? 128 : 0)
        let comp = isDepthwise ? [Int32](repeating: 0, count: maps) : groups.flatMap { $0.rowSums.map { zero &* $0 } }
        guard let epilogue = IntegerEpilogue(comp: comp, inputScale: input.scale, weightScales: weightScales, normalization: a, shift: c,
                                             integerBias: b == nil ? nil : integerBias, bounds: fused.activation.bounds, output: output) else {
            throw KernelError.invalidInput("the scales of the quantized Conv give a factor that is not finite")
        }
        return epilogue
    }

    /// The deepest product (input channels per group × kernel taps) whose int32 sums cannot overflow.
    static let maxDepth = 65535

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let tensors = try tensorInputs(inputs)
        let x = try tensors.required(0)
        let maps = weight.shape[0], group = fused.conv.group
        guard x.dataType == input.type, x.rank == 4, x.shape[1] == weight.shape[1] * group else {
            return [.tensor(try finished(try fused.compute(try dequantizedInputs(tensors))))]
        }
        let kernel = Array(weight.shape[2...])
        if let declared = fused.conv.spatial.kernelShape, declared != kernel {
            throw KernelError.invalidInput("kernel_shape \(declared) does not match W \(weight.shape)")
        }
        let geometry = try fused.conv.spatial.geometry(input: Array(x.shape[2...]), kernel: kernel)
        let batch = x.shape[0], channels = x.shape[1], groupChannels = channels / group, groupMaps = maps / group
        let positions = geometry.output.reduce(1, *), inputSize = geometry.input.reduce(1, *)
        let depth = weight.shape[1...].reduce(1, *)
        guard positions <= Int(Int32.max), depth * positions <= Int(Int32.max),
              let epilogue = prepared ?? (try? epilogue(bias: tensors.optional(2), tensors)) else {
            return [.tensor(try finished(try fused.compute(try dequantizedInputs(tensors))))]
        }
        let signed = x.dataType == .int8
        if groupChannels == 1 && groupMaps == 1 {
            return [.tensor(try depthwise(x, geometry: geometry, epilogue: epilogue))]
        }
        let pointwise = kernel == [1, 1] && geometry.strides == [1, 1] && geometry.padBegin == [0, 0] && geometry.output == geometry.input
        let shape = [batch, maps] + geometry.output
        let result = try x.withUnsafeBytes { raw in
            try ScalarQuantization.results(quantizedWith: output, shape: shape, writing: { oBase in
                guard let xBase = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), positions > 0 else { return }
                let columns = UnsafeMutablePointer<UInt8>.allocate(capacity: pointwise ? 1 : depth * positions)
                defer { columns.deallocate() }
                for n in 0..<batch {
                    for g in 0..<group {
                        let source = xBase + (n * channels + g * groupChannels) * inputSize
                        if !pointwise {
                            mg_im2col_u8(source, Int32(groupChannels), Int32(geometry.input[0]), Int32(geometry.input[1]),
                                         Int32(kernel[0]), Int32(kernel[1]), Int32(geometry.strides[0]), Int32(geometry.strides[1]),
                                         Int32(geometry.dilations[0]), Int32(geometry.dilations[1]),
                                         Int32(geometry.padBegin[0]), Int32(geometry.padBegin[1]),
                                         Int32(geometry.output[0]), Int32(geometry.output[1]),
                                         UInt8(truncatingIfNeeded: input.zeroPoint), columns)
                        }
                        let first = g * groupMaps
                        epilogue.withEpilogue(from: first) { e in
                            Int8Gemm.multiply(groups[g].packed, m: groupMaps, k: depth, b: pointwise ? source : UnsafePointer(columns),
                                              ldb: positions, n: positions, flip: signed ? 0x80 : 0, epilogue: e,
                                              c: oBase + (n * maps + first) * positions * epilogue.elementSize, ldc: positions)
                        }
                    }
                }
            })
        }
        return [.tensor(result)]
    }

    /// The float `result` of a fallback path, quantized with `output` when there is one.
    private func finished(_ result: Tensor) throws -> Tensor {
        try output.map { try $0.quantized(result) } ?? result
    }

    /// Depthwise: the zero-shifted integer input and the int8 weights. Kernels of up to
    /// `maxExactTaps` taps run `mg_depthwise_plane_q8` on the AVX-512 path (horizontal strides 1
    /// and 2); elsewhere float results run the float `DepthwiseConv` on the integers as floats
    /// (byte planes in), and the rest, quantized results included, `mg_depthwise_u8` in int32. Every product and sum of at most
    /// `maxExactTaps` taps is an integer below 2²⁴, so the float sums equal the int32 ones.
    private func depthwise(_ x: Tensor, geometry: SpatialGeometry, epilogue: IntegerEpilogue) throws -> Tensor {
        let taps = geometry.kernel[0] * geometry.kernel[1]
        let batch = x.shape[0], channels = x.shape[1], shape = [batch, channels] + geometry.output
        if taps <= Self.maxExactTaps, let depthwiseWeights,
           let result = try vectorDepthwise(x, shape: shape, w: depthwiseWeights, geometry: geometry, epilogue: epilogue) {
            return result
        }
        guard taps <= Self.maxExactTaps, let depthwiseWeights, epilogue.output == nil else {
            return try integerDepthwise(x, geometry: geometry, epilogue: epilogue)
        }
        return try x.withUnsafeBytes { raw in
            guard let bytes = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw KernelError.invalidInput("x has no elements") }
            let source = DepthwiseConv.Input.bytes(bytes, signed: x.dataType == .int8, zero: input.zeroPoint)
            return try depthwiseWeights.withUnsafeBufferPointer { w in
                try epilogue.scale.withUnsafeBufferPointer { a in
                    try epilogue.shift.withUnsafeBufferPointer { c in
                        guard let w = w.baseAddress, let a = a.baseAddress, let c = c.baseAddress else {
                            throw KernelError.invalidInput("the depthwise weights are empty")
                        }
                        return try Tensor.overwritten(Float.self, shape: shape) { out in
                            guard let target = out.baseAddress else { return }
                            DepthwiseConv.run(input: source, planes: batch * channels, channels: channels, w: w, geometry: geometry,
                                              epilogue: DepthwiseConv.Epilogue(scale: a, shift: c, low: epilogue.low, high: epilogue.high),
                                              output: .floats(target))
                        }
                    }
                }
            }
        }
    }

    /// A depthwise convolution on `mg_depthwise_plane_q8` (AVX-512: each plane's bytes converted,
    /// summed in float lanes and put through the epilogue in one pass), the planes split over the
    /// executor's threads; nil when the int8 path in use is not AVX-512 or the geometry is not one it takes.
    private func vectorDepthwise(_ x: Tensor, shape: [Int], w: [Float], geometry: SpatialGeometry, epilogue: IntegerEpilogue) throws -> Tensor? {
        guard Int8Gemm.path == .avx512VNNI, geometry.strides[1] == 1 || geometry.strides[1] == 2,
              let d = Self.planeGeometry(geometry) else { return nil }
        let planes = shape[0] * shape[1], channels = shape[1], taps = geometry.kernel[0] * geometry.kernel[1]
        let inputSize = geometry.input.reduce(1, *), positions = geometry.output.reduce(1, *)
        let scratchFloats = mg_depthwise_plane_q8_scratch_size(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11]) / 4
        let (zero, inputSigned) = (input.zeroPoint, Int32(x.dataType == .int8 ? 1 : 0))
        let size = epilogue.elementSize
        return try x.withUnsafeBytes { raw in
            try w.withUnsafeBufferPointer { w in
                try epilogue.withEpilogue { e in
                    try ScalarQuantization.results(quantizedWith: epilogue.output, shape: shape, writing: { out in
                        guard let x = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), let w = w.baseAddress else { return }
                        let addresses = (UInt(bitPattern: x), UInt(bitPattern: w), UInt(bitPattern: e), UInt(bitPattern: out))
                        ParallelFor.run(planes, grain: max(1, 32768 / max(positions * taps, 1))) { chunk in
                            guard let x = UnsafePointer<UInt8>(bitPattern: addresses.0), let w = UnsafePointer<Float>(bitPattern: addresses.1),
                                  let all = UnsafePointer<mg_epilogue>(bitPattern: addresses.2)?.pointee,
                                  let out = UnsafeMutableRawPointer(bitPattern: addresses.3) else { return }
                            let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(scratchFloats, 1) * 4, alignment: TensorBuffer.alignment)
                                .bindMemory(to: Float.self, capacity: max(scratchFloats, 1))
                            defer { scratch.deallocate() }
                            for plane in chunk {
                                let c = plane % channels
                                var channel = all.advanced(to: c)
                                let done = mg_depthwise_plane_q8(x + plane * inputSize, inputSigned, zero, d[0], d[1], d[2], d[3], w + c * taps,
                                                                 d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], &channel, scratch,
                                                                 plane == chunk.lowerBound ? 1 : 0, out + plane * positions * size)
                                precondition(done == 1, "mg_depthwise_plane_q8 refused a geometry the executor checked")
                            }
                        }
                    })
                }
            }
        }
    }

    /// The plane geometry as the C depthwise kernels take it (input H, W, kernel H, W, strides,
    /// dilations, padding at the start, output H, W), or nil when a value does not fit their int16 indexing.
    private static func planeGeometry(_ geometry: SpatialGeometry) -> [Int32]? {
        let dims = [geometry.input[0], geometry.input[1], geometry.kernel[0], geometry.kernel[1], geometry.strides[0], geometry.strides[1],
                    geometry.dilations[0], geometry.dilations[1], geometry.padBegin[0], geometry.padBegin[1],
                    geometry.output[0], geometry.output[1]]
        guard dims.allSatisfy({ $0 >= 0 && $0 <= Int(Int16.max) }) else { return nil }
        return dims.map { Int32($0) }
    }

    /// Kernels up to this many taps sum exactly in float: 512 · 255 · 128 < 2²⁴.
    static let maxExactTaps = 512

    /// One plane per channel (`mg_depthwise_u8`, int32 sums), the planes split over the executor's threads.
    private func integerDepthwise(_ x: Tensor, geometry: SpatialGeometry, epilogue: IntegerEpilogue) throws -> Tensor {
        let batch = x.shape[0], channels = x.shape[1]
        let inputSize = geometry.input.reduce(1, *), positions = geometry.output.reduce(1, *)
        guard let d = Self.planeGeometry(geometry) else {
            throw KernelError.invalidInput("depthwise convolution geometry \(geometry) is too large")
        }
        let scratchBytes = mg_depthwise_scratch_size(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11])
        let taps = geometry.kernel[0] * geometry.kernel[1]
        let signed: Int32 = x.dataType == .int8 ? 1 : 0, zero = input.zeroPoint
        let size = epilogue.elementSize
        return try x.withUnsafeBytes { raw in
            try weight.withElements(Int8.self) { ws in
                try epilogue.withEpilogue { e in
                    try ScalarQuantization.results(quantizedWith: epilogue.output, shape: [batch, channels] + geometry.output, writing: { oBase in
                        guard let xBase = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), let wBase = ws.baseAddress,
                              positions > 0 else { return }
                        let addresses = (UInt(bitPattern: xBase), UInt(bitPattern: wBase), UInt(bitPattern: oBase), UInt(bitPattern: e))
                        ParallelFor.run(batch * channels, grain: max(1, 4096 / max(positions * taps, 1))) { chunk in
                            guard let x = UnsafePointer<UInt8>(bitPattern: addresses.0), let w = UnsafePointer<Int8>(bitPattern: addresses.1),
                                  let o = UnsafeMutableRawPointer(bitPattern: addresses.2),
                                  let all = UnsafePointer<mg_epilogue>(bitPattern: addresses.3)?.pointee else { return }
                            let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(scratchBytes, 1), alignment: 64)
                            defer { scratch.deallocate() }
                            for plane in chunk {
                                let c = plane % channels
                                var channel = all.advanced(to: c)
                                mg_depthwise_u8(x + plane * inputSize, signed, zero, d[0], d[1], w + c * taps, d[2], d[3], d[4], d[5], d[6], d[7],
                                                d[8], d[9], d[10], d[11], &channel, scratch, o + plane * positions * size)
                            }
                        }
                    })
                }
            }
        }
    }

    /// The inputs of `fused`: x and the weights dequantized, then B and the normalization.
    private func dequantizedInputs(_ tensors: [Tensor?]) throws -> [Tensor?] {
        let x = try tensors.required(0)
        let xScale = Tensor(scalar: input.scale)
        let xZero = try Tensor(converting: [Double(input.zeroPoint)], to: input.type, shape: [])
        let xFloat = try DequantizeLinear_10.plain.compute([x, xScale, x.dataType == input.type ? xZero : nil]).first ?? nil
        let wFloat = try Int8Weights.dequantized(weight, scales: weightScales, axis: 0)
        var result = tensors
        while result.count < 3 { result.append(nil) }
        result[0] = xFloat
        result[1] = wFloat
        return result
    }
}
