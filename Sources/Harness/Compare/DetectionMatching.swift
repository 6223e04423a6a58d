import ModelIR

/// Pairs the rows of a detection output with the rows of its golden values, so that detections
/// listed in another order are compared with their counterparts (`match: detections`), and
/// counts the detections that have none.
///
/// Within each sample, every (actual row, golden row) pair is ranked by the squared distance
/// between the rows (ties: rows closer in position first), and pairs are taken greedily, nearest
/// first, each row at most once. The actual and golden rows may differ in number (a lossy path
/// may keep another number of boxes through NMS); rows left over have no counterpart. A pair of
/// boxes (rows of four values: corners, x before y or y before x) is a counterpart only when
/// their intersection over union is at least `minCounterpartIoU`, or no corner moved by more than
/// `maxCounterpartShift` of the output's largest coordinate (a sliver a fraction of a pixel wide
/// has a small IoU with itself moved by float rounding); rows of other widths and single values
/// (`detection_values`) pair nearest first. When the detections carry classes (an integer
/// `detection_values` output of the same rows: torchvision's labels), a box is the counterpart
/// only of a golden box of the same class: detectors that run NMS per class list one box once
/// per class, and those copies must not pair across classes. The counterparts are then compared
/// element by element as usual: two detections whose scores differ by 1e-6 and swap places pair
/// with each other and differ by 1e-6, a box that is genuinely wrong keeps a large error, and a
/// box moved beyond the IoU is a detection without counterpart (`DetectionCounts`).
public enum DetectionMatching {
    /// The largest number of detections per sample that is paired.
    public static let maxRows = 1024
    /// The intersection over union from which a box is the counterpart of a golden box (the
    /// match criterion of mAP@0.5).
    public static let minCounterpartIoU = 0.5
    /// The corner shift, as a fraction of the output's largest coordinate, within which a box is
    /// the counterpart of a golden box whatever their IoU: 1 %, the share of an output's scale
    /// beyond which the noise floor no longer measures rounding (`NoiseFloor.maxMeaningfulFraction`).
    public static let maxCounterpartShift = NoiseFloor.maxMeaningfulFraction

    /// A golden row and the actual row paired with it, within one sample.
    public struct RowPair: Sendable, Hashable {
        public var golden: Int
        public var actual: Int
    }

    /// How the rows of one output pair with its golden rows.
    public struct Pairing: Sendable, Hashable {
        public var samples: Int
        /// Rows per sample.
        public var goldenRows: Int
        public var actualRows: Int
        /// Values per row.
        public var width: Int
        /// Per sample, the counterparts in golden row order.
        public var pairs: [[RowPair]]

        public var counts: DetectionCounts {
            DetectionCounts(golden: samples * goldenRows, actual: samples * actualRows, paired: pairs.reduce(0) { $0 + $1.count })
        }

        /// Counterparts at another position than their golden row.
        public var reorderedRows: Int { pairs.reduce(0) { $0 + $1.filter { $0.golden != $0.actual }.count } }

        /// The detections without counterpart that a near-tie at a list's cutoff explains, given
        /// one score per row on each side (laid out as the rows): on the side with more detections
        /// without counterpart (either, when both have as many), those whose score is at most the
        /// other side's weakest score in the same sample plus `tolerance`. A detector keeps its
        /// best-scoring boxes up to a count or above a threshold; a box whose score ties with the
        /// last one kept may fall on either side of that cut in two correct float32 runs.
        public func cutoffTies(actualScores: [Double], goldenScores: [Double], tolerance: Double) -> Int {
            guard actualScores.count == samples * actualRows, goldenScores.count == samples * goldenRows else { return 0 }
            var goldenTies = 0, actualTies = 0, goldenUnpaired = 0, actualUnpaired = 0
            for (sample, pairs) in pairs.enumerated() {
                let golden = goldenScores[sample * goldenRows..<(sample + 1) * goldenRows]
                let actual = actualScores[sample * actualRows..<(sample + 1) * actualRows]
                let pairedGolden = Set(pairs.map(\.golden)), pairedActual = Set(pairs.map(\.actual))
                let unpairedGolden = golden.indices.filter { !pairedGolden.contains($0 - golden.startIndex) }
                let unpairedActual = actual.indices.filter { !pairedActual.contains($0 - actual.startIndex) }
                goldenUnpaired += unpairedGolden.count
                actualUnpaired += unpairedActual.count
                if let weakest = actual.min() { goldenTies += unpairedGolden.filter { golden[$0] <= weakest + tolerance }.count }
                if let weakest = golden.min() { actualTies += unpairedActual.filter { actual[$0] <= weakest + tolerance }.count }
            }
            if goldenUnpaired == actualUnpaired { return min(goldenTies, actualTies) }
            return goldenUnpaired > actualUnpaired ? goldenTies : actualTies
        }

        /// True when `other`'s rows can follow this pairing: the same samples and row counts.
        func fits(samples: Int, goldenRows: Int, actualRows: Int) -> Bool {
            self.samples == samples && self.goldenRows == goldenRows && self.actualRows == actualRows
        }
    }

    /// The class of every row of a set of detections, actual and golden, one value per row in
    /// row order across samples: what restricts counterparts to the same class.
    public struct RowClasses: Sendable, Hashable {
        public var actual: [Double]
        public var golden: [Double]

        public init(actual: [Double], golden: [Double]) {
            self.actual = actual
            self.golden = golden
        }
    }

    /// The order in which a set of outputs is paired: every `detections` output first (its pairing
    /// is what `detection_values` outputs follow), then the others, each group in `matches` order.
    public static func pairingOrder(_ matches: [OutputMatch]) -> [Int] {
        matches.indices.filter { matches[$0] == .detections } + matches.indices.filter { matches[$0] != .detections }
    }

    /// The values of the counterparts, the actual ones in the order of the golden ones.
    public struct Paired: Sendable, Hashable {
        public var actual: [Double]
        public var golden: [Double]
        public var pairing: Pairing?
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

    /// The counterparts of `actual` (laid out in `actualShape`) and `golden` (in `goldenShape`)
    /// under `match`; with `following`, the rows are paired as that pairing (of another output of
    /// the same detections) says instead, when it fits these rows. `classes`, when it holds one
    /// value per row on both sides, keeps counterparts within a class. `shiftAllowance` widens the
    /// corner shift within which boxes are counterparts whatever their IoU beyond
    /// `maxCounterpartShift` of the largest coordinate: to what the noise floor gate accepts.
    ///
    /// - Throws: `CompareError` when a shape does not suit `match`, or the two shapes differ in
    ///   anything but the number of detections.
    public static func pair(actual: [Double], actualShape: [Int], golden: [Double], goldenShape: [Int], match: OutputMatch, output: String,
                            following: Pairing? = nil, classes: RowClasses? = nil,
                            shiftAllowance: Double? = nil) throws(CompareError) -> Paired {
        guard match != .elements else {
            guard actual.count == golden.count else { throw .shapeMismatch(output: output, actual: actualShape, golden: goldenShape) }
            return Paired(actual: actual, golden: golden, pairing: nil)
        }
        let g = try layout(of: goldenShape, match: match, output: output)
        let a = try layout(of: actualShape, match: match, output: output)
        guard a.samples == g.samples, a.width == g.width, actual.count == a.samples * a.rows * a.width, golden.count == g.samples * g.rows * g.width else {
            throw .shapeMismatch(output: output, actual: actualShape, golden: goldenShape)
        }
        let pairing: Pairing
        if let following, following.fits(samples: g.samples, goldenRows: g.rows, actualRows: a.rows) {
            pairing = Pairing(samples: g.samples, goldenRows: g.rows, actualRows: a.rows, width: g.width, pairs: following.pairs)
        } else {
            let boxes = match == .detections && g.width == 4
            let shift = boxes ? max(maxCounterpartShift * golden.reduce(0) { $1.isFinite ? max($0, abs($1)) : $0 }, shiftAllowance ?? 0) : nil
            let classes = classes.flatMap { $0.actual.count == a.samples * a.rows && $0.golden.count == g.samples * g.rows ? $0 : nil }
            pairing = Pairing(samples: g.samples, goldenRows: g.rows, actualRows: a.rows, width: g.width, pairs: (0..<g.samples).map { sample in
                let sameClass: ((Int, Int) -> Bool)? = classes.map { classes in
                    { classes.actual[sample * a.rows + $0] == classes.golden[sample * g.rows + $1] }
                }
                return rowPairs(actual: actual, actualBase: sample * a.rows * a.width, actualRows: a.rows,
                                golden: golden, goldenBase: sample * g.rows * g.width, goldenRows: g.rows, width: g.width, boxShift: shift,
                                sameClass: sameClass)
            })
        }
        var pairedActual: [Double] = [], pairedGolden: [Double] = []
        let width = g.width
        for (sample, pairs) in pairing.pairs.enumerated() {
            for pair in pairs {
                let goldenStart = (sample * g.rows + pair.golden) * width, actualStart = (sample * a.rows + pair.actual) * width
                pairedGolden += golden[goldenStart..<goldenStart + width]
                pairedActual += actual[actualStart..<actualStart + width]
            }
        }
        return Paired(actual: pairedActual, golden: pairedGolden, pairing: pairing)
    }

    /// The counterparts of one sample, in golden row order; `boxShift` (for boxes only) is the
    /// corner shift within which a box is a counterpart whatever its IoU; `sameClass(actual row,
    /// golden row)`, when given, must hold for a pair.
    static func rowPairs(actual: [Double], actualBase: Int, actualRows: Int, golden: [Double], goldenBase: Int, goldenRows: Int,
                         width: Int, boxShift: Double?, sameClass: ((Int, Int) -> Bool)? = nil) -> [RowPair] {
        func row(_ values: [Double], _ start: Int) -> ArraySlice<Double> { values[start..<start + width] }
        func distance(_ a: Int, _ g: Int) -> Double {
            var sum = 0.0
            for k in 0..<width {
                let x = actual[actualBase + a * width + k], y = golden[goldenBase + g * width + k]
                if x.isNaN && y.isNaN || x == y { continue }
                let d = x - y
                sum += d.isFinite ? d * d : .infinity
            }
            return sum
        }
        var candidates: [(distance: Double, offset: Int, actual: Int32, golden: Int32)] = []
        candidates.reserveCapacity(actualRows * goldenRows)
        for a in 0..<actualRows {
            for g in 0..<goldenRows where sameClass?(a, g) ?? true {
                candidates.append((distance(a, g), abs(a - g), Int32(a), Int32(g)))
            }
        }
        candidates.sort { ($0.distance, $0.offset, $0.golden, $0.actual) < ($1.distance, $1.offset, $1.golden, $1.actual) }
        var pairedTo = [Int](repeating: -1, count: goldenRows)
        var used = [Bool](repeating: false, count: actualRows)
        var remaining = min(actualRows, goldenRows)
        for candidate in candidates where remaining > 0 {
            let a = Int(candidate.actual), g = Int(candidate.golden)
            guard !used[a], pairedTo[g] < 0 else { continue }
            used[a] = true
            pairedTo[g] = a
            remaining -= 1
        }
        return pairedTo.enumerated().compactMap { g, a in
            guard a >= 0 else { return nil }
            if let boxShift {
                let box = row(actual, actualBase + a * width), goldenBox = row(golden, goldenBase + g * width)
                let shifted = zip(box, goldenBox).contains { !(abs($0 - $1) <= boxShift) }
                if shifted, !(intersectionOverUnion(box, goldenBox) >= minCounterpartIoU) { return nil }
            }
            return RowPair(golden: g, actual: a)
        }
    }

    /// The intersection over union of two boxes given by opposite corners (either axis first).
    static func intersectionOverUnion(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        func extent(_ box: ArraySlice<Double>) -> (low0: Double, low1: Double, high0: Double, high1: Double) {
            let v = Array(box)
            return (min(v[0], v[2]), min(v[1], v[3]), max(v[0], v[2]), max(v[1], v[3]))
        }
        let p = extent(a), q = extent(b)
        let intersection = max(0, min(p.high0, q.high0) - max(p.low0, q.low0)) * max(0, min(p.high1, q.high1) - max(p.low1, q.low1))
        let union = (p.high0 - p.low0) * (p.high1 - p.low1) + (q.high0 - q.low0) * (q.high1 - q.low1) - intersection
        return union > 0 ? intersection / union : 0
    }
}

/// How many detections an output holds against its golden values, and how many of the golden
/// ones have a counterpart (`DetectionMatching`).
public struct DetectionCounts: Sendable, Hashable, Codable {
    public var golden: Int
    public var actual: Int
    public var paired: Int
    /// `paired / max(golden, actual)`: a detection missing and one too many both count; 1 when
    /// neither side has any.
    public var agreement: Double

    /// Of the detections without counterpart, those whose score ties with the weakest one the
    /// other side kept (`Pairing.cutoffTies`): float32 rounding explains them. Set on the outputs
    /// of a detector with scores, where the comparison knows their noise floor.
    public var cutoffTies: Int?

    public init(golden: Int, actual: Int, paired: Int, cutoffTies: Int? = nil) {
        self.golden = golden
        self.actual = actual
        self.paired = paired
        self.cutoffTies = cutoffTies
        let most = max(golden, actual)
        agreement = most == 0 ? 1 : Double(paired) / Double(most)
    }

    /// The detections without counterpart on the side that has more: `max(golden, actual) − paired`.
    public var unpaired: Int { max(golden, actual) - paired }
}

extension DetectionMatching.RowClasses {
    /// The classes of one set of detections: the first output paired as `detection_values` whose
    /// actual tensor holds integers (a detector's labels), with its golden values; nil when there
    /// is none or either side cannot be read as numbers. Golden files may store labels as floats,
    /// so only the actual side's type decides.
    public static func find(in outputs: [(name: String, actual: Tensor, golden: Tensor?)],
                            match: (String) -> OutputMatch) -> Self? {
        for output in outputs where match(output.name) == .detectionValues && output.actual.dataType.isInteger {
            guard let golden = output.golden, let actualValues = try? output.actual.doubleValues(),
                  let goldenValues = try? golden.doubleValues() else { continue }
            return Self(actual: actualValues, golden: goldenValues)
        }
        return nil
    }
}
