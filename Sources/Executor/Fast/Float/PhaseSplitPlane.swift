/// The scratch layout the float window kernels (depthwise convolution, max and average pooling)
/// read a 2-D input plane through: the plane with its padding materialized, split into
/// `strides[0] × strides[1]` phase blocks so that every kernel tap of every output lies at one
/// constant offset from the output's flat position.
///
/// Block `(a, b)` holds the padded plane's rows `i·sH + a` and columns `j·sW + b` as a
/// `rows × width` matrix. Output `(oy, ox)` has the flat position `q = oy·width + ox`, and tap
/// `(ky, kx)` reads block `((ky·dH) % sH, (kx·dW) % sW)` at `q + ((ky·dH) / sH)·width + (kx·dW) / sW`.
/// A kernel can therefore run one contiguous loop over `outH × width` positions, whole vectors
/// of `PhaseSplitPlane.lanes` at a time, and discard the columns `ox ≥ outW` of each row.
struct PhaseSplitPlane {
    /// Vector width the kernels step by; every block and the flat output have this much slack.
    static let lanes = 8

    let geometry: SpatialGeometry
    /// Columns per block row, and the length of one row of the flat output.
    let width: Int
    /// Rows per block.
    let rows: Int
    /// Floats per block, slack included.
    let blockSize: Int
    /// Flat output positions, rounded up to whole vectors.
    let positions: Int
    /// For every tap `ky·kW + kx`: its offset in the scratch (block start plus in-block offset).
    let tapOffsets: [Int]
    /// Per column phase `b`: the block columns `low[b]..<high[b]` that lie inside the input.
    private let low: [Int], high: [Int]

    init(_ geometry: SpatialGeometry) {
        self.geometry = geometry
        let outH = geometry.output[0], outW = geometry.output[1]
        let kH = geometry.kernel[0], kW = geometry.kernel[1]
        let sH = geometry.strides[0], sW = geometry.strides[1], dH = geometry.dilations[0], dW = geometry.dilations[1]
        width = outW + (kW - 1) * dW / sW
        rows = outH + (kH - 1) * dH / sH + 1
        let lanes = Self.lanes
        blockSize = rows * width + lanes
        positions = (outH * width + lanes - 1) / lanes * lanes
        var offsets: [Int] = []
        offsets.reserveCapacity(kH * kW)
        for ky in 0..<kH {
            for kx in 0..<kW {
                let block = (ky * dH % sH) * sW + kx * dW % sW
                offsets.append(block * (rows * width + lanes) + (ky * dH / sH) * width + kx * dW / sW)
            }
        }
        tapOffsets = offsets
        let inW = geometry.input[1], pW = geometry.padBegin[1], width = width
        low = (0..<sW).map { b in min(width, max(0, (pW - b + sW - 1) / sW)) }
        high = (0..<sW).map { b in inW - 1 + pW - b < 0 ? 0 : min(width, (inW - 1 + pW - b) / sW + 1) }
    }

    /// Floats of scratch one plane needs: every block, then the flat output.
    var scratchSize: Int { geometry.strides[0] * geometry.strides[1] * blockSize + positions }

    /// Writes `padding` over every block: the elements outside the input, which stay the same
    /// from one plane to the next, so a kernel pads its scratch once and then `copy`s each plane.
    func pad(_ scratch: UnsafeMutablePointer<Float>, with padding: Float) {
        FloatRows.fill(scratch, with: padding, count: geometry.strides[0] * geometry.strides[1] * blockSize)
    }

    /// Writes the elements of `source` (one `input[0] × input[1]` plane) into the blocks at
    /// `scratch`, leaving the padding that `pad` wrote around them.
    func copy(from source: UnsafePointer<Float>, into scratch: UnsafeMutablePointer<Float>) {
        let inH = geometry.input[0], inW = geometry.input[1]
        let sH = geometry.strides[0], sW = geometry.strides[1]
        let pH = geometry.padBegin[0], pW = geometry.padBegin[1]
        for a in 0..<sH {
            // Block rows i whose input row i·sH + a − pH lies inside the plane.
            let first = max(0, (pH - a + sH - 1) / sH), last = inH - 1 + pH - a < 0 ? -1 : min(rows - 1, (inH - 1 + pH - a) / sH)
            guard first <= last else { continue }
            // Padded column c of input row iy is inputRow[c].
            var inputRow = source + (first * sH + a - pH) * inW - pW
            var line = scratch + a * sW * blockSize + first * width
            let inputStep = sH * inW
            if sW == 1 {
                let start = low[0], count = high[0] - low[0]
                guard count > 0 else { continue }
                for _ in first...last {
                    FloatRows.copy(inputRow + start, to: line + start, count: count)
                    inputRow += inputStep
                    line += width
                }
            } else if sW == 2 {
                let bounds = (low: (low[0], low[1]), high: (high[0], high[1]))
                for _ in first...last {
                    Self.deinterleave(inputRow, into: line, line + blockSize, low: bounds.low, high: bounds.high)
                    inputRow += inputStep
                    line += width
                }
            } else {
                for _ in first...last {
                    for b in 0..<sW {
                        let phase = line + b * blockSize
                        for j in low[b]..<max(low[b], high[b]) { phase[j] = inputRow[j * sW + b] }
                    }
                    inputRow += inputStep
                    line += width
                }
            }
        }
    }

    /// `even[j] = row[2j]` for `j` in `low.0..<high.0` and `odd[j] = row[2j + 1]` for `j` in
    /// `low.1..<high.1`: where both ranges hold, sixteen inputs at a time are split eight and eight.
    private static func deinterleave(_ row: UnsafePointer<Float>, into even: UnsafeMutablePointer<Float>, _ odd: UnsafeMutablePointer<Float>,
                                     low: (Int, Int), high: (Int, Int)) {
        let start = max(low.0, low.1), end = min(high.0, high.1)
        func split(at j: Int) {
            let pairs = UnsafeRawPointer(row + 2 * j).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(even + j).storeBytes(of: pairs.evenHalf, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(odd + j).storeBytes(of: pairs.oddHalf, as: SIMD8<Float>.self)
        }
        var j = start
        while j + 8 <= end {
            split(at: j)
            j += 8
        }
        // The last eight overlap the ones before them.
        if j > start && j < end {
            split(at: end - 8)
            j = end
        }
        let vectorEnd = max(j, start)
        for k in low.0..<max(low.0, min(start, high.0)) { even[k] = row[2 * k] }
        for k in max(vectorEnd, low.0)..<max(max(vectorEnd, low.0), high.0) { even[k] = row[2 * k] }
        for k in low.1..<max(low.1, min(start, high.1)) { odd[k] = row[2 * k + 1] }
        for k in max(vectorEnd, low.1)..<max(max(vectorEnd, low.1), high.1) { odd[k] = row[2 * k + 1] }
    }
}
