import Dispatch

/// Float 2-D depthwise convolution (one input channel and one feature map per group), computed
/// directly: for every output row, each kernel tap adds a weighted, strided input row segment, with
/// the segment clipped to the input so no padding is materialized. Channels are split over
/// `ExecutorThreads.count` threads.
enum DepthwiseConv {
    /// - Parameters:
    ///   - x: `planes` input planes of `geometry.input` (N·C planes, each H×W).
    ///   - w: one kH×kW filter per channel; plane `p` uses filter `p % channels`.
    ///   - output: `planes` output planes of `geometry.output`, overwritten.
    static func run(x: UnsafePointer<Float>, planes: Int, channels: Int, w: UnsafePointer<Float>,
                    geometry: SpatialGeometry, output: UnsafeMutablePointer<Float>) {
        let threads = min(ExecutorThreads.count, planes)
        if threads <= 1 {
            for plane in 0..<planes { runPlane(x: x, plane: plane, channels: channels, w: w, geometry: geometry, output: output) }
            return
        }
        let xAddress = UInt(bitPattern: x), wAddress = UInt(bitPattern: w), oAddress = UInt(bitPattern: output)
        DispatchQueue.concurrentPerform(iterations: threads) { part in
            let x = UnsafePointer<Float>(bitPattern: xAddress)!, w = UnsafePointer<Float>(bitPattern: wAddress)!
            let output = UnsafeMutablePointer<Float>(bitPattern: oAddress)!
            for plane in stride(from: part, to: planes, by: threads) {
                runPlane(x: x, plane: plane, channels: channels, w: w, geometry: geometry, output: output)
            }
        }
    }

    private static func runPlane(x: UnsafePointer<Float>, plane: Int, channels: Int, w: UnsafePointer<Float>,
                                 geometry: SpatialGeometry, output: UnsafeMutablePointer<Float>) {
        let inH = geometry.input[0], inW = geometry.input[1], outH = geometry.output[0], outW = geometry.output[1]
        let kH = geometry.kernel[0], kW = geometry.kernel[1]
        let sH = geometry.strides[0], sW = geometry.strides[1], dH = geometry.dilations[0], dW = geometry.dilations[1]
        let pH = geometry.padBegin[0], pW = geometry.padBegin[1]
        let source = x + plane * inH * inW
        let filter = w + (plane % channels) * kH * kW
        let target = output + plane * outH * outW
        // For each horizontal tap, the output columns whose input column lies inside the row.
        var first = [Int](repeating: 0, count: kW), last = [Int](repeating: 0, count: kW)
        for kx in 0..<kW {
            let offset = kx * dW - pW
            first[kx] = offset >= 0 ? 0 : (-offset + sW - 1) / sW
            last[kx] = inW - 1 - offset < 0 ? -1 : min(outW - 1, (inW - 1 - offset) / sW)
        }
        // Output columns (rows) whose every horizontal (vertical) tap is inside the input.
        let spanW = inW - 1 + pW - (kW - 1) * dW, spanH = inH - 1 + pH - (kH - 1) * dH
        let oxLo = (pW + sW - 1) / sW, oxHi = spanW < 0 ? -1 : min(outW - 1, spanW / sW)
        let oyLo = (pH + sH - 1) / sH, oyHi = spanH < 0 ? -1 : min(outH - 1, spanH / sH)
        for oy in 0..<outH {
            let row = target + oy * outW
            if oy >= oyLo && oy <= oyHi && oxLo <= oxHi {
                interiorRow(source: source, filter: filter, row: row, oy: oy, geometry: geometry, columns: oxLo...oxHi)
                continue
            }
            row.update(repeating: 0, count: outW)
            for ky in 0..<kH {
                let iy = oy * sH - pH + ky * dH
                guard iy >= 0 && iy < inH else { continue }
                let inputRow = source + iy * inW
                for kx in 0..<kW where first[kx] <= last[kx] {
                    let weight = filter[ky * kW + kx]
                    let offset = kx * dW - pW
                    if sW == 1 {
                        let shifted = inputRow + offset
                        for ox in first[kx]...last[kx] { row[ox] += weight * shifted[ox] }
                    } else {
                        for ox in first[kx]...last[kx] { row[ox] += weight * inputRow[ox * sW + offset] }
                    }
                }
            }
        }
    }

    /// A row whose taps all lie inside the input vertically: interior columns accumulate in a
    /// register (3×3 unrolled), the columns near the edges take the clipped per-pixel sum.
    private static func interiorRow(source: UnsafePointer<Float>, filter: UnsafePointer<Float>, row: UnsafeMutablePointer<Float>,
                                    oy: Int, geometry: SpatialGeometry, columns: ClosedRange<Int>) {
        let inW = geometry.input[1], outW = geometry.output[1]
        let kH = geometry.kernel[0], kW = geometry.kernel[1]
        let sH = geometry.strides[0], sW = geometry.strides[1], dH = geometry.dilations[0], dW = geometry.dilations[1]
        let pH = geometry.padBegin[0], pW = geometry.padBegin[1]
        let top = source + (oy * sH - pH) * inW
        for ox in 0..<outW where !columns.contains(ox) {
            var sum: Float = 0
            for ky in 0..<kH {
                let line = top + ky * dH * inW
                for kx in 0..<kW {
                    let ix = ox * sW - pW + kx * dW
                    if ix >= 0 && ix < inW { sum += filter[ky * kW + kx] * line[ix] }
                }
            }
            row[ox] = sum
        }
        if kH == 3 && kW == 3 {
            let w0 = filter[0], w1 = filter[1], w2 = filter[2], w3 = filter[3], w4 = filter[4]
            let w5 = filter[5], w6 = filter[6], w7 = filter[7], w8 = filter[8]
            let r0 = top - pW, r1 = r0 + dH * inW, r2 = r1 + dH * inW
            var start = columns.lowerBound
            if sW == 1 && dW == 1 {
                // Sixteen outputs at a time; the three taps of a row are three shifted loads.
                func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
                while start + 16 <= columns.upperBound + 1 {
                    var sum = w0 * load(r0 + start)
                    sum += w1 * load(r0 + start + 1)
                    sum += w2 * load(r0 + start + 2)
                    sum += w3 * load(r1 + start)
                    sum += w4 * load(r1 + start + 1)
                    sum += w5 * load(r1 + start + 2)
                    sum += w6 * load(r2 + start)
                    sum += w7 * load(r2 + start + 1)
                    sum += w8 * load(r2 + start + 2)
                    UnsafeMutableRawPointer(row + start).storeBytes(of: sum, as: SIMD16<Float>.self)
                    start += 16
                }
            }
            for ox in start..<(columns.upperBound + 1) {
                let i = ox * sW
                var sum = w0 * r0[i]
                sum += w1 * r0[i + dW]
                sum += w2 * r0[i + 2 * dW]
                sum += w3 * r1[i]
                sum += w4 * r1[i + dW]
                sum += w5 * r1[i + 2 * dW]
                sum += w6 * r2[i]
                sum += w7 * r2[i + dW]
                sum += w8 * r2[i + 2 * dW]
                row[ox] = sum
            }
            return
        }
        for ox in columns {
            var sum: Float = 0
            let origin = top + ox * sW - pW
            for ky in 0..<kH {
                let line = origin + ky * dH * inW
                for kx in 0..<kW { sum += filter[ky * kW + kx] * line[kx * dW] }
            }
            row[ox] = sum
        }
    }
}
