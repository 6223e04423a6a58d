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
    }

    /// Floats of scratch one plane needs: every block, then the flat output.
    var scratchSize: Int { geometry.strides[0] * geometry.strides[1] * blockSize + positions }

    /// Writes `source` (one `input[0] × input[1]` plane) into the blocks at `scratch`, with `padding`
    /// wherever a block element lies outside the input.
    func fill(from source: UnsafePointer<Float>, padding: Float, into scratch: UnsafeMutablePointer<Float>) {
        let inH = geometry.input[0], inW = geometry.input[1]
        let sH = geometry.strides[0], sW = geometry.strides[1]
        let pH = geometry.padBegin[0], pW = geometry.padBegin[1]
        for a in 0..<sH {
            for b in 0..<sW {
                let block = scratch + (a * sW + b) * blockSize
                // Block columns j whose input column j·sW + b − pW lies inside the row.
                let low = min(width, max(0, (pW - b + sW - 1) / sW))
                let high = inW - 1 + pW - b < 0 ? 0 : min(width, (inW - 1 + pW - b) / sW + 1)
                for i in 0..<rows {
                    let line = block + i * width
                    let iy = i * sH + a - pH
                    guard iy >= 0 && iy < inH && low < high else {
                        line.update(repeating: padding, count: width)
                        continue
                    }
                    if low > 0 { line.update(repeating: padding, count: low) }
                    let inputRow = source + iy * inW + b - pW
                    if sW == 1 {
                        (line + low).update(from: inputRow + low, count: high - low)
                    } else if sW == 2 {
                        Self.gatherEven(from: inputRow, into: line, range: low..<high)
                    } else {
                        for j in low..<high { line[j] = inputRow[j * sW] }
                    }
                    if high < width { (line + high).update(repeating: padding, count: width - high) }
                }
                (block + rows * width).update(repeating: padding, count: Self.lanes)
            }
        }
    }

    /// `line[j] = row[2j]` for `j` in `range`: eight inputs loaded, the even four kept.
    private static func gatherEven(from row: UnsafePointer<Float>, into line: UnsafeMutablePointer<Float>, range: Range<Int>) {
        var j = range.lowerBound
        while j + 4 < range.upperBound {
            let pair = UnsafeRawPointer(row + 2 * j).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(line + j).storeBytes(of: pair.evenHalf, as: SIMD4<Float>.self)
            j += 4
        }
        while j < range.upperBound {
            line[j] = row[2 * j]
            j += 1
        }
    }
}
