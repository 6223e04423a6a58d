import Foundation

/// How far one output of a model × path cell is from its golden values.
///
/// Produced by `OutputComparator`, judged by `Gates`, stored in reports. Non-finite values are
/// meaningful (an SNR of +∞ means identical outputs) and are written to JSON as `"inf"`, `"-inf"`, `"nan"`.
public struct OutputMetrics: Sendable, Hashable, Codable {
    public var name: String
    public var shape: [Int]
    public var elementCount: Int
    /// Largest |actual − golden| (∞ when a non-finite value does not match).
    public var maxAbsError: Double
    /// Mean |actual − golden| over the pairs where both are finite.
    public var meanAbsError: Double
    /// Largest |actual − golden| / |golden| over the finite pairs with golden ≠ 0.
    public var maxRelError: Double
    /// Cosine similarity of the finite pairs, flattened (1 when both are all zero, 0 when only one is).
    public var cosine: Double
    /// 10·log10(Σ golden² / Σ (actual − golden)²) over the finite pairs; +∞ when identical.
    public var snrDB: Double
    /// The `rtol` and `atol` the mismatch count uses (0 where the thresholds set none).
    public var rtol: Double
    public var atol: Double
    /// Elements where `|actual − golden| > atol + rtol·|golden|` (NaN matches NaN, ±∞ the same ±∞).
    public var mismatchCount: Int
    public var mismatchFraction: Double
    /// The smallest atol that passes every element with this `rtol` (∞ when a non-finite value differs).
    public var minPassingAtol: Double
    /// The smallest rtol that passes every element with this `atol` (∞ when none does).
    public var minPassingRtol: Double
    public var nanCount: Int
    public var infCount: Int
    public var goldenNaNCount: Int
    public var goldenInfCount: Int
    /// The share of samples (first axis) whose arg-max agrees with golden, for outputs with at
    /// least two values per sample; nil otherwise.
    public var top1Agreement: Double?
    /// |actual − golden| by decade.
    public var errorHistogram: ErrorHistogram
    /// The per-output gates this output is judged by.
    public var thresholds: Thresholds
    /// The noise floor of this output, when a gate needed it (`max_floor_ratio`).
    public var noiseFloor: NoiseFloor?
    /// `maxAbsError / noiseFloor.allowance`: the error as a multiple of the noise floor.
    public var floorRatio: Double?
    /// With `match: detections` or `detection_values`: detections paired with a golden row at
    /// another position.
    public var reorderedRows: Int?
    /// With `match: detections` or `detection_values`: the detections on each side and how many
    /// golden ones have a counterpart; the other values are measured on the counterparts only.
    public var detections: DetectionCounts?

    public init(name: String, shape: [Int], elementCount: Int, maxAbsError: Double, meanAbsError: Double, maxRelError: Double,
                cosine: Double, snrDB: Double, rtol: Double, atol: Double, mismatchCount: Int, mismatchFraction: Double,
                minPassingAtol: Double, minPassingRtol: Double, nanCount: Int, infCount: Int, goldenNaNCount: Int,
                goldenInfCount: Int, top1Agreement: Double?, errorHistogram: ErrorHistogram, thresholds: Thresholds,
                noiseFloor: NoiseFloor? = nil, reorderedRows: Int? = nil, detections: DetectionCounts? = nil) {
        self.name = name
        self.shape = shape
        self.elementCount = elementCount
        self.maxAbsError = maxAbsError
        self.meanAbsError = meanAbsError
        self.maxRelError = maxRelError
        self.cosine = cosine
        self.snrDB = snrDB
        self.rtol = rtol
        self.atol = atol
        self.mismatchCount = mismatchCount
        self.mismatchFraction = mismatchFraction
        self.minPassingAtol = minPassingAtol
        self.minPassingRtol = minPassingRtol
        self.nanCount = nanCount
        self.infCount = infCount
        self.goldenNaNCount = goldenNaNCount
        self.goldenInfCount = goldenInfCount
        self.top1Agreement = top1Agreement
        self.errorHistogram = errorHistogram
        self.thresholds = thresholds
        self.noiseFloor = noiseFloor
        floorRatio = noiseFloor.map { Self.ratio(maxAbsError, to: $0.allowance) }
        self.reorderedRows = reorderedRows
        self.detections = detections
    }

    /// True when this output misses `min_cosine` and has the float16-floor alternative
    /// (`max_fp16_floor_ratio`), which only the noise floor can judge: the runner measures the
    /// floor only then, since it costs a float64 run of the fp32 graph.
    public var needsFP16Floor: Bool {
        guard thresholds[.maxFP16FloorRatio] != nil, let limit = thresholds[.minCosine] else { return false }
        return !(cosine >= limit)
    }

    /// The max abs error as a multiple of the float16 floor (`NoiseFloor.float16Allowance`), when
    /// the floor was measured.
    public var fp16FloorRatio: Double? {
        noiseFloor.map { Self.ratio(maxAbsError, to: $0.float16Allowance) }
    }

    /// `error / allowance`, 0 when both are 0 and ∞ when only the allowance is.
    static func ratio(_ error: Double, to allowance: Double) -> Double {
        if error == 0 { return 0 }
        return allowance > 0 ? error / allowance : .infinity
    }
}

/// A histogram of absolute errors by decade: exact zero, below 1e-9, one bin per decade up to 1,
/// at least 1, and non-finite.
public struct ErrorHistogram: Sendable, Hashable, Codable {
    public struct Bin: Sendable, Hashable, Codable {
        public var label: String
        public var count: Int

        public init(label: String, count: Int) {
            self.label = label
            self.count = count
        }
    }

    public var bins: [Bin]

    public init(bins: [Bin]) {
        self.bins = bins
    }

    /// The decades between the "below" and "at least" bins: 1e-9 … 1e0.
    static let lowestDecade = -9

    /// Bin labels, in order.
    public static let labels: [String] = ["0", "<1e-9"]
        + (lowestDecade..<0).map { "1e\($0)–1e\($0 + 1)" } + ["≥1", "non-finite"]

    /// An empty histogram with every bin.
    public static var empty: ErrorHistogram {
        ErrorHistogram(bins: labels.map { Bin(label: $0, count: 0) })
    }

    /// The bin index of one absolute error.
    static func index(of error: Double) -> Int {
        guard error.isFinite else { return labels.count - 1 }
        if error == 0 { return 0 }
        if error >= 1 { return labels.count - 2 }
        let decade = Int(log10(error).rounded(.down))
        if decade < lowestDecade { return 1 }
        return 2 + decade - lowestDecade
    }

    public var total: Int { bins.reduce(0) { $0 + $1.count } }
}
