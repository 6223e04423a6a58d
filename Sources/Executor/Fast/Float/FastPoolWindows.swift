/// The pooling windows of a 2-D geometry, clipped per output row and per output column: the
/// first and last tap inside the input and the number of taps inside the padded input. Also
/// the exact per-window max that `FastPool` takes for planes holding a NaN.
struct FastPoolWindows {
    let geometry: SpatialGeometry
    let rowFirst: [Int], rowLast: [Int], rowPadded: [Int]
    let columnFirst: [Int], columnLast: [Int], columnPadded: [Int]

    init(_ geometry: SpatialGeometry) {
        self.geometry = geometry
        (rowFirst, rowLast, rowPadded) = Self.ranges(geometry, axis: 0)
        (columnFirst, columnLast, columnPadded) = Self.ranges(geometry, axis: 1)
    }

    /// Taps of output row `oy` (column `ox`) that lie inside the input.
    func rowInside(_ oy: Int) -> Int { max(rowLast[oy] - rowFirst[oy] + 1, 0) }
    func columnInside(_ ox: Int) -> Int { max(columnLast[ox] - columnFirst[ox] + 1, 0) }

    private static func ranges(_ g: SpatialGeometry, axis: Int) -> (first: [Int], last: [Int], padded: [Int]) {
        let count = g.output[axis], size = g.input[axis]
        var first = [Int](repeating: 0, count: count), last = first, padded = first
        for o in 0..<count {
            var f = Int.max, l = -1, p = 0
            for k in 0..<g.kernel[axis] {
                let c = g.coordinate(axis: axis, kernel: k, output: o)
                if c >= 0 && c < size { f = min(f, k); l = k }
                if c >= -g.padBegin[axis] && c < size + g.padEnd[axis] { p += 1 }
            }
            first[o] = f == Int.max ? 0 : f
            last[o] = l
            padded[o] = p
        }
        return (first, last, padded)
    }

    /// Max pooling of one plane window by window: NaN if any value of the window is NaN, −∞ for a
    /// window with no tap inside the input.
    func exactMax(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>) {
        let g = geometry
        let inW = g.input[1], outH = g.output[0], outW = g.output[1]
        let dH = g.dilations[0], dW = g.dilations[1], sH = g.strides[0], sW = g.strides[1]
        let pH = g.padBegin[0], pW = g.padBegin[1]
        for oy in 0..<outH {
            let ky0 = rowFirst[oy], ky1 = rowLast[oy]
            let line = target + oy * outW
            for ox in 0..<outW {
                let kx0 = columnFirst[ox], kx1 = columnLast[ox]
                var best = -Float.infinity
                var nan = false
                var ky = ky0
                while ky <= ky1 {
                    let iy = oy * sH - pH + ky * dH
                    var kx = kx0
                    while kx <= kx1 {
                        let v = source[iy * inW + ox * sW - pW + kx * dW]
                        best = v > best ? v : best
                        nan = nan || v.isNaN
                        kx += 1
                    }
                    ky += 1
                }
                line[ox] = nan ? .nan : best
            }
        }
    }
}
