/// Float 2-D depthwise convolution (one input channel and one feature map per group). Each plane
/// is copied into a zero-padded, stride-phase-split scratch (`PhaseSplitPlane`), where every tap
/// is one contiguous vector loop over the output's flat positions (3×3 unrolled), for any stride,
/// padding and dilation. Planes are split over the executor's threads (`ParallelFor`).
enum DepthwiseConv {
    /// A per-channel affine map and clamp applied to each output value as it is stored:
    /// `min(max(v·scale[c] + shift[c], low), high)`, with `nil` standing for scale 1 and shift 0.
    struct Epilogue {
        let scale: UnsafePointer<Float>?
        let shift: UnsafePointer<Float>?
        let low: Float
        let high: Float
    }

    /// - Parameters:
    ///   - x: `planes` input planes of `geometry.input` (N·C planes, each H×W).
    ///   - w: one kH×kW filter per channel; plane `p` uses filter `p % channels`.
    ///   - epilogue: applied to every output value of plane `p` with channel `p % channels`;
    ///     nil leaves the plain convolution.
    ///   - output: `planes` output planes of `geometry.output`, overwritten.
    static func run(x: UnsafePointer<Float>, planes: Int, channels: Int, w: UnsafePointer<Float>,
                    geometry: SpatialGeometry, epilogue: Epilogue? = nil, output: UnsafeMutablePointer<Float>) {
        let outH = geometry.output[0], outW = geometry.output[1]
        guard planes > 0, channels > 0, outH > 0, outW > 0 else { return }
        let layout = PhaseSplitPlane(geometry)
        let taps = geometry.kernel[0] * geometry.kernel[1]
        let inputSize = geometry.input[0] * geometry.input[1], outputSize = outH * outW
        ParallelFor.run(planes, grain: max(1, 32768 / max(layout.positions * taps, 1))) { chunk in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: layout.scratchSize)
            defer { scratch.deallocate() }
            layout.tapOffsets.withUnsafeBufferPointer { offsets in
                for plane in chunk {
                    let channel = plane % channels
                    layout.fill(from: x + plane * inputSize, padding: 0, into: scratch)
                    let flat = scratch + layout.scratchSize - layout.positions
                    if taps == 9 {
                        convolve3x3(scratch, offsets: offsets, filter: w + channel * 9, count: layout.positions, into: flat)
                    } else {
                        convolve(scratch, offsets: offsets, filter: w + channel * taps, count: layout.positions, into: flat)
                    }
                    store(flat, width: layout.width, rows: outH, columns: outW, channel: channel, epilogue: epilogue,
                          into: output + plane * outputSize)
                }
            }
        }
    }

    private typealias Vector = SIMD8<Float>

    private static func load(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    /// `flat[q] = Σ filter[t] · scratch[offsets[t] + q]` for `q < count` (a multiple of the vector width).
    private static func convolve(_ scratch: UnsafePointer<Float>, offsets: UnsafeBufferPointer<Int>, filter: UnsafePointer<Float>,
                                 count: Int, into flat: UnsafeMutablePointer<Float>) {
        var q = 0
        while q < count {
            var sum = Vector()
            for t in 0..<offsets.count { sum += filter[t] * load(scratch + offsets[t] + q) }
            UnsafeMutableRawPointer(flat + q).storeBytes(of: sum, as: Vector.self)
            q += Vector.scalarCount
        }
    }

    /// `convolve` with the nine taps of a 3×3 filter held in registers.
    private static func convolve3x3(_ scratch: UnsafePointer<Float>, offsets: UnsafeBufferPointer<Int>, filter: UnsafePointer<Float>,
                                    count: Int, into flat: UnsafeMutablePointer<Float>) {
        let w0 = filter[0], w1 = filter[1], w2 = filter[2], w3 = filter[3], w4 = filter[4]
        let w5 = filter[5], w6 = filter[6], w7 = filter[7], w8 = filter[8]
        let p0 = scratch + offsets[0], p1 = scratch + offsets[1], p2 = scratch + offsets[2]
        let p3 = scratch + offsets[3], p4 = scratch + offsets[4], p5 = scratch + offsets[5]
        let p6 = scratch + offsets[6], p7 = scratch + offsets[7], p8 = scratch + offsets[8]
        var q = 0
        while q < count {
            var top = w0 * load(p0 + q)
            top += w1 * load(p1 + q)
            top += w2 * load(p2 + q)
            var middle = w3 * load(p3 + q)
            middle += w4 * load(p4 + q)
            middle += w5 * load(p5 + q)
            var bottom = w6 * load(p6 + q)
            bottom += w7 * load(p7 + q)
            bottom += w8 * load(p8 + q)
            UnsafeMutableRawPointer(flat + q).storeBytes(of: top + middle + bottom, as: Vector.self)
            q += Vector.scalarCount
        }
    }

    /// Copies the first `columns` of each `width`-long flat row into the output plane, through the epilogue.
    private static func store(_ flat: UnsafePointer<Float>, width: Int, rows: Int, columns: Int, channel: Int,
                              epilogue: Epilogue?, into target: UnsafeMutablePointer<Float>) {
        guard let epilogue else {
            for row in 0..<rows { (target + row * columns).update(from: flat + row * width, count: columns) }
            return
        }
        let a = epilogue.scale?[channel] ?? 1, c = epilogue.shift?[channel] ?? 0
        let low = epilogue.low, high = epilogue.high
        for row in 0..<rows {
            let from = flat + row * width, to = target + row * columns
            for column in 0..<columns {
                let v = from[column] * a + c
                to[column] = v < low ? low : (v > high ? high : v)
            }
        }
    }
}
