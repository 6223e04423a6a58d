import CQuantizedKernels

/// Float 2-D depthwise convolution (one input channel and one feature map per group). Each plane
/// is copied into a zero-padded, stride-phase-split scratch (`PhaseSplitPlane`), where every tap
/// is a contiguous vector load at a constant offset from the output position (3×3 unrolled), for
/// any stride, padding and dilation; an optional per-channel epilogue is applied in registers.
/// Planes are split over the executor's threads (`ParallelFor`).
enum DepthwiseConv {
    /// A per-channel affine map and clamp applied to each output value as it is stored:
    /// `min(max(v·scale[c] + shift[c], low), high)`, with `nil` standing for scale 1 and shift 0.
    struct Epilogue {
        let scale: UnsafePointer<Float>?
        let shift: UnsafePointer<Float>?
        let low: Float
        let high: Float
    }

    /// Where the input planes come from: floats, or 8-bit integers read as their difference from
    /// a zero point (`(x − zero)` in float, exact).
    enum Input {
        case floats(UnsafePointer<Float>)
        case bytes(UnsafePointer<UInt8>, signed: Bool, zero: Int32)
    }

    /// Where the output planes go: floats, or 8-bit integers `saturate(round(v · multiplier) + zero)`
    /// (`mg_quantize_scaled_f32`).
    enum Output {
        case floats(UnsafeMutablePointer<Float>)
        case bytes(UnsafeMutablePointer<UInt8>, signed: Bool, multiplier: Float, zero: Int32)
    }

    /// - Parameters:
    ///   - x: `planes` input planes of `geometry.input` (N·C planes, each H×W).
    ///   - w: one kH×kW filter per channel; plane `p` uses filter `p % channels`.
    ///   - epilogue: applied to every output value of plane `p` with channel `p % channels`;
    ///     nil leaves the plain convolution.
    ///   - output: `planes` output planes of `geometry.output`, overwritten.
    static func run(x: UnsafePointer<Float>, planes: Int, channels: Int, w: UnsafePointer<Float>,
                    geometry: SpatialGeometry, epilogue: Epilogue? = nil, output: UnsafeMutablePointer<Float>) {
        run(input: .floats(x), planes: planes, channels: channels, w: w, geometry: geometry, epilogue: epilogue, output: .floats(output))
    }

    /// `run(x:planes:channels:w:geometry:epilogue:output:)` with byte planes in or out: each
    /// byte plane is converted to floats, or each output plane quantized, one plane at a time in
    /// the thread's scratch.
    static func run(input: Input, planes: Int, channels: Int, w: UnsafePointer<Float>,
                    geometry: SpatialGeometry, epilogue: Epilogue? = nil, output: Output) {
        let outH = geometry.output[0], outW = geometry.output[1]
        guard planes > 0, channels > 0, outH > 0, outW > 0 else { return }
        let layout = PhaseSplitPlane(geometry)
        let taps = geometry.kernel[0] * geometry.kernel[1]
        let inputSize = geometry.input[0] * geometry.input[1], outputSize = outH * outW
        let clamps = epilogue.map { $0.low > -.infinity || $0.high < .infinity } ?? false
        ParallelFor.run(planes, grain: max(1, 32768 / max(layout.positions * taps, 1))) { chunk in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: layout.scratchSize)
            defer { scratch.deallocate() }
            let planeInput: UnsafeMutablePointer<Float>? = if case .bytes = input { .allocate(capacity: inputSize) } else { nil }
            let planeOutput: UnsafeMutablePointer<Float>? = if case .bytes = output { .allocate(capacity: outputSize) } else { nil }
            defer {
                planeInput?.deallocate()
                planeOutput?.deallocate()
            }
            layout.pad(scratch, with: 0)
            layout.tapOffsets.withUnsafeBufferPointer { offsets in
                for plane in chunk {
                    let channel = plane % channels
                    switch input {
                    case .floats(let x): layout.copy(from: x + plane * inputSize, into: scratch)
                    case .bytes(let x, let signed, let zero):
                        guard let planeInput else { return }
                        mg_dequantize_8(x + plane * inputSize, inputSize, signed ? 1 : 0, zero, 1, planeInput)
                        layout.copy(from: planeInput, into: scratch)
                    }
                    let affine = Affine(epilogue, channel: channel)
                    let target: UnsafeMutablePointer<Float>
                    switch output {
                    case .floats(let out): target = out + plane * outputSize
                    case .bytes: guard let planeOutput else { return }; target = planeOutput
                    }
                    switch (taps == 9, clamps) {
                    case (true, false):
                        convolve(NineTaps(scratch, offsets: offsets, filter: w + channel * 9), layout: layout, map: affine, into: target)
                    case (true, true):
                        convolve(NineTaps(scratch, offsets: offsets, filter: w + channel * 9), layout: layout,
                                 map: ClampedAffine(affine, epilogue), into: target)
                    case (false, false):
                        convolve(AnyTaps(scratch, offsets: offsets, filter: w + channel * taps), layout: layout, map: affine, into: target)
                    case (false, true):
                        convolve(AnyTaps(scratch, offsets: offsets, filter: w + channel * taps), layout: layout,
                                 map: ClampedAffine(affine, epilogue), into: target)
                    }
                    if case .bytes(let out, let signed, let multiplier, let zero) = output {
                        mg_quantize_scaled_f32(target, outputSize, multiplier, zero, signed ? 1 : 0, out + plane * outputSize)
                    }
                }
            }
        }
    }

    fileprivate typealias Vector = SIMD8<Float>

    @inline(__always)
    fileprivate static func load(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    @inline(__always)
    private static func store(_ v: Vector, at p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self) }

    /// One plane's output. Rows of at least a vector are computed straight into the output (the
    /// last vector of a row overlapping the one before); narrower planes run one loop over the
    /// flat positions into the scratch's output area and then copy their rows out.
    @inline(__always)
    private static func convolve<T: TapSum, M: OutputMap>(_ taps: T, layout: PhaseSplitPlane, map: M,
                                                          into target: UnsafeMutablePointer<Float>) {
        let outH = layout.geometry.output[0], outW = layout.geometry.output[1], width = layout.width
        let lanes = Vector.scalarCount
        if outW >= lanes {
            for oy in 0..<outH {
                let row = target + oy * outW, origin = oy * width
                var ox = 0
                while ox + lanes <= outW {
                    store(map.apply(taps.sum(at: origin + ox)), at: row + ox)
                    ox += lanes
                }
                if ox < outW { store(map.apply(taps.sum(at: origin + outW - lanes)), at: row + outW - lanes) }
            }
            return
        }
        let flat = taps.scratch + layout.scratchSize - layout.positions
        var q = 0
        while q < layout.positions {
            store(map.apply(taps.sum(at: q)), at: flat + q)
            q += lanes
        }
        for oy in 0..<outH { FloatRows.copy(flat + oy * width, to: target + oy * outW, count: outW) }
    }

    /// What becomes of a vector of sums before it is stored.
    private protocol OutputMap { func apply(_ v: Vector) -> Vector }

    /// One channel's scale and shift (1 and 0 without an epilogue).
    private struct Affine: OutputMap {
        let scale: Vector, shift: Vector

        init(_ epilogue: Epilogue?, channel: Int) {
            scale = Vector(repeating: epilogue?.scale?[channel] ?? 1)
            shift = Vector(repeating: epilogue?.shift?[channel] ?? 0)
        }

        @inline(__always) func apply(_ v: Vector) -> Vector { v * scale + shift }
    }

    /// The scale and shift, then the epilogue's clamp.
    private struct ClampedAffine: OutputMap {
        let affine: Affine, low: Vector, high: Vector

        init(_ affine: Affine, _ epilogue: Epilogue?) {
            self.affine = affine
            low = Vector(repeating: epilogue?.low ?? -.infinity)
            high = Vector(repeating: epilogue?.high ?? .infinity)
        }

        @inline(__always)
        func apply(_ v: Vector) -> Vector {
            var y = affine.apply(v)
            y.replace(with: low, where: y .< low)
            y.replace(with: high, where: y .> high)
            return y
        }
    }
}

extension DepthwiseConv {
    /// The weighted sum of a filter's taps at one vector of flat output positions.
    fileprivate protocol TapSum {
        /// The scratch the taps read (`PhaseSplitPlane` blocks, then the flat output area).
        var scratch: UnsafeMutablePointer<Float> { get }
        /// `Σ filter[t] · scratch[offsets[t] + q + lane]` for the vector's lanes.
        func sum(at q: Int) -> Vector
    }

    /// Any number of taps, read through the offset table.
    fileprivate struct AnyTaps: TapSum {
        let scratch: UnsafeMutablePointer<Float>
        let offsets: UnsafeBufferPointer<Int>
        let filter: UnsafePointer<Float>

        init(_ scratch: UnsafeMutablePointer<Float>, offsets: UnsafeBufferPointer<Int>, filter: UnsafePointer<Float>) {
            self.scratch = scratch
            self.offsets = offsets
            self.filter = filter
        }

        @inline(__always)
        func sum(at q: Int) -> Vector {
            var sum = Vector()
            for t in 0..<offsets.count { sum += filter[t] * DepthwiseConv.load(scratch + offsets[t] + q) }
            return sum
        }
    }

    /// A 3×3 filter with its nine weights and tap pointers held in registers.
    fileprivate struct NineTaps: TapSum {
        let scratch: UnsafeMutablePointer<Float>
        let w0, w1, w2, w3, w4, w5, w6, w7, w8: Float
        let p0, p1, p2, p3, p4, p5, p6, p7, p8: UnsafePointer<Float>

        init(_ scratch: UnsafeMutablePointer<Float>, offsets: UnsafeBufferPointer<Int>, filter: UnsafePointer<Float>) {
            self.scratch = scratch
            (w0, w1, w2) = (filter[0], filter[1], filter[2])
            (w3, w4, w5) = (filter[3], filter[4], filter[5])
            (w6, w7, w8) = (filter[6], filter[7], filter[8])
            let s = UnsafePointer(scratch)
            (p0, p1, p2) = (s + offsets[0], s + offsets[1], s + offsets[2])
            (p3, p4, p5) = (s + offsets[3], s + offsets[4], s + offsets[5])
            (p6, p7, p8) = (s + offsets[6], s + offsets[7], s + offsets[8])
        }

        @inline(__always)
        func sum(at q: Int) -> Vector {
            typealias C = DepthwiseConv
            var top = w0 * C.load(p0 + q)
            top += w1 * C.load(p1 + q)
            top += w2 * C.load(p2 + q)
            var middle = w3 * C.load(p3 + q)
            middle += w4 * C.load(p4 + q)
            middle += w5 * C.load(p5 + q)
            var bottom = w6 * C.load(p6 + q)
            bottom += w7 * C.load(p7 + q)
            bottom += w8 * C.load(p8 + q)
            return top + middle + bottom
        }
    }
}
