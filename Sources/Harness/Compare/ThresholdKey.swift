/// A gate threshold as it is spelled in `corpus.yml`.
///
/// Tolerance keys judge one output against its golden values; budget keys judge the whole cell.
/// `max_*` keys and `rtol`/`atol` are upper bounds, `min_*` keys lower bounds.
public enum ThresholdKey: String, Sendable, Hashable, Codable, CodingKeyRepresentable, CaseIterable, Comparable {
    // Per output.
    case rtol, atol
    case minCosine = "min_cosine"
    case minSNRdB = "min_snr_db"
    case maxMismatchFraction = "max_mismatch_fraction"
    case maxAbsError = "max_abs_error"
    case minTop1Agreement = "min_top1_agreement"
    /// The largest allowed multiple of the noise floor (`NoiseFloor.allowance`) for the max abs error.
    case maxFloorRatio = "max_floor_ratio"
    /// The largest allowed multiple of the float16 floor (`NoiseFloor.float16Allowance`: what
    /// float16 arithmetic explains for this model) for the max abs error. It is an alternative to
    /// `min_cosine`: an output that meets either passes.
    case maxFP16FloorRatio = "max_fp16_floor_ratio"
    /// The smallest allowed share of detections with a counterpart (`DetectionCounts.agreement`),
    /// for outputs with `match: detections` or `detection_values`.
    case minDetectionAgreement = "min_detection_agreement"
    // Per cell.
    case maxAccuracyLoss = "max_accuracy_loss"
    case maxRelativeAccuracyLoss = "max_relative_accuracy_loss"
    case maxSizeRatio = "max_size_ratio"
    case maxSizeBytes = "max_size_bytes"
    case maxLatencyRatio = "max_latency_ratio"
    case maxLatencyP50Ms = "max_latency_p50_ms"

    /// True for keys that judge one output; false for cell budgets.
    public var isPerOutput: Bool {
        switch self {
        case .rtol, .atol, .minCosine, .minSNRdB, .maxMismatchFraction, .maxAbsError, .minTop1Agreement, .maxFloorRatio, .maxFP16FloorRatio,
             .minDetectionAgreement: true
        default: false
        }
    }

    /// True when a larger value is looser (every key except the `min_*` ones).
    public var largerIsLooser: Bool {
        switch self {
        case .minCosine, .minSNRdB, .minTop1Agreement, .minDetectionAgreement: false
        default: true
        }
    }

    /// The element-wise keys: a composition keeps them only when every part sets them.
    public var isElementwise: Bool {
        isExplicitElementwise || self == .maxFloorRatio
    }

    /// The element-wise keys that state a tolerance in the output's own units: a layer of
    /// thresholds that sets one of them (and not `max_floor_ratio`) replaces the noise-floor gate
    /// of the layers below it.
    public var isExplicitElementwise: Bool {
        switch self {
        case .rtol, .atol, .maxMismatchFraction, .maxAbsError: true
        default: false
        }
    }

    /// The values a key accepts, for error messages; nil when any non-negative number will do.
    public var validRange: ClosedRange<Double> {
        switch self {
        case .minCosine: -1...1
        case .maxMismatchFraction, .minTop1Agreement, .minDetectionAgreement: 0...1
        case .minSNRdB: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude
        default: 0...Double.greatestFiniteMagnitude
        }
    }

    /// A human description of `validRange`.
    public var rangeDescription: String {
        switch self {
        case .minCosine: "a number from -1 to 1"
        case .maxMismatchFraction, .minTop1Agreement, .minDetectionAgreement: "a number from 0 to 1"
        case .minSNRdB: "a number of decibels"
        default: "a non-negative number"
        }
    }

    public static let perOutputKeys = allCases.filter(\.isPerOutput)
    public static let budgetKeys = allCases.filter { !$0.isPerOutput }

    public static func < (lhs: ThresholdKey, rhs: ThresholdKey) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
