/// Pairs the rows of a detection output with the rows of its golden values, so that detections
/// listed in another order are compared with their counterparts (`match: detections`).
///
/// Within each sample, every (actual row, golden row) pair is ranked by the squared distance
/// between the rows (ties: rows closer in position first), and pairs are taken greedily, nearest
/// first, each row at most once. The actual values are then laid out in the golden order and
/// compared element by element as usual: two detections whose scores differ by 1e-6 and swap
/// places pair with each other and differ by 1e-6, while a box that is genuinely wrong has no
/// close counterpart and keeps a large error.
public enum DetectionMatching {
    /// The largest number of detections per sample that is paired.
    public static let maxRows = 1024

    /// The result of pairing: `actual` reordered into the golden order.
    public struct Paired: Sendable, Hashable {
        public var actual: [Double]
        /// Detections paired with a golden row at another position.
        public var reorderedRows: Int
    }

    /// The (samples, rows per sample, values per row) of an output under `match`.
    ///
    /// - Throws: `CompareError.notNumeric` for a scalar output or one with more rows than `maxRows`.
    public static func layout(of shape: [Int], match: OutputMatch, output: String) throws(CompareError) -> (samples: Int, rows: Int, width: Int) {
        let layout: (samples: Int, rows: Int, width: Int)
        switch match {
        case .elements:
            return (1, 1, shape.reduce(1, *))
        case .detections:
            guard !shape.isEmpty else { throw .notNumeric(output: output, reason: "match: detections needs an output of rank 1 or more, not a scalar") }
            layout = shape.count == 1 ? (1, shape[0], 1) : (shape.dropLast(2).reduce(1, *), shape[shape.count - 2], shape[shape.count - 1])
        case .detectionValues:
            guard let last = shape.last else { throw .notNumeric(output: output, reason: "match: detection_values needs an output of rank 1 or more, not a scalar") }
            layout = (shape.dropLast().reduce(1, *), last, 1)
        }
        guard layout.rows <= maxRows else {
            throw .notNumeric(output: output, reason: "match: \(match.rawValue) pairs at most \(maxRows) detections per sample and shape \(shape) has \(layout.rows); "
                              + "compare this output element by element (remove match)")
        }
        return layout
    }

    /// `actual` with its rows paired to the rows of `golden` (same count and layout).
    ///
    /// - Throws: `CompareError` when the shape does not suit `match`.
    public static func pair(actual: [Double], golden: [Double], shape: [Int], match: OutputMatch, output: String) throws(CompareError) -> Paired {
        guard match != .elements else { return Paired(actual: actual, reorderedRows: 0) }
        let (samples, rows, width) = try layout(of: shape, match: match, output: output)
        guard actual.count == samples * rows * width, golden.count == actual.count else {
            throw .shapeMismatch(output: output, actual: [actual.count], golden: shape)
        }
        var result = actual
        var reordered = 0
        for sample in 0..<samples {
            let base = sample * rows * width
            let pairs = pairing(actual: actual, golden: golden, base: base, rows: rows, width: width)
            for (goldenRow, actualRow) in pairs.enumerated() {
                if goldenRow != actualRow { reordered += 1 }
                for k in 0..<width { result[base + goldenRow * width + k] = actual[base + actualRow * width + k] }
            }
        }
        return Paired(actual: result, reorderedRows: reordered)
    }

    /// For each golden row of one sample, the actual row paired with it.
    static func pairing(actual: [Double], golden: [Double], base: Int, rows: Int, width: Int) -> [Int] {
        func distance(_ a: Int, _ g: Int) -> Double {
            var sum = 0.0
            for k in 0..<width {
                let x = actual[base + a * width + k], y = golden[base + g * width + k]
                if x.isNaN && y.isNaN || x == y { continue }
                let d = x - y
                sum += d.isFinite ? d * d : .infinity
            }
            return sum
        }
        var candidates: [(distance: Double, offset: Int, actual: Int32, golden: Int32)] = []
        candidates.reserveCapacity(rows * rows)
        for a in 0..<rows {
            for g in 0..<rows {
                candidates.append((distance(a, g), abs(a - g), Int32(a), Int32(g)))
            }
        }
        candidates.sort { ($0.distance, $0.offset, $0.golden, $0.actual) < ($1.distance, $1.offset, $1.golden, $1.actual) }
        var pairedTo = [Int](repeating: -1, count: rows)
        var used = [Bool](repeating: false, count: rows)
        var remaining = rows
        for candidate in candidates where remaining > 0 {
            let a = Int(candidate.actual), g = Int(candidate.golden)
            guard !used[a], pairedTo[g] < 0 else { continue }
            used[a] = true
            pairedTo[g] = a
            remaining -= 1
        }
        return pairedTo
    }
}
