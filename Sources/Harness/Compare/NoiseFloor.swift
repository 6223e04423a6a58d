import Foundation

/// How far two correct float32 executions of one graph on the same inputs may legitimately differ,
/// for one output: the model's fp32 graph run in float32 beside the same graph run in float64.
///
/// Float32 rounding in long sums (convolutions, matrix products, reductions) makes every float32
/// execution a little wrong, and two executors that sum in different orders are wrong in different
/// places. The float64 run is exact to about 1e-16 relative, so `maxAbsError` is the float32
/// error of this executor on this model and these inputs. A correct float32 conversion of the
/// model differs from the golden outputs (another float32 execution) by about this much, a
/// buggy one by far more; the `max_floor_ratio` gate compares the two.
public struct NoiseFloor: Sendable, Hashable, Codable {
    /// Largest |float32 − float64| over the output's elements.
    public var maxAbsError: Double
    /// Root mean square of float32 − float64.
    public var rmsError: Double
    /// Largest |float64 value| of the output.
    public var scale: Double
    /// 10·log10(Σ float64² / Σ (float32 − float64)²); +∞ when the float32 run is exact.
    public var snrDB: Double
    /// The elements compared.
    public var elementCount: Int
    /// The floor gates use: `maxAbsError`, but at least one float32 rounding step of the output's
    /// largest value (`scale`·2⁻²³), so that an output float32 computes exactly still allows two
    /// executors to round its largest value differently.
    public var allowance: Double
    /// The spacing of the integer grid the output is dequantized from (`OutputQuantizationStep`),
    /// for an output of a quantized model; nil for a float output.
    public var quantizationStep: Double?
    /// Largest |golden − float64| over the output's elements, paired as the cell's outputs are:
    /// how far the golden values lie from this graph's exact result. Far beyond `allowance`, the
    /// graph itself computes something other than what produced the golden (an export that does
    /// not reproduce its framework, another model's golden), whichever float32 executor runs it.
    /// Nil when the golden output was not given or cannot be compared.
    public var goldenDistance: Double?
    /// For an output paired by detections (`match`): how many of the float64 run's detections
    /// have a counterpart in the float32 run's. Float32 rounding alone can move a near-tie box
    /// across NMS or a score threshold; `unpairedDetectionAllowance` is what that explains.
    public var detections: DetectionCounts?

    public init(maxAbsError: Double, rmsError: Double, scale: Double, snrDB: Double, elementCount: Int, quantizationStep: Double? = nil) {
        self.maxAbsError = maxAbsError
        self.rmsError = rmsError
        self.scale = scale
        self.snrDB = snrDB
        self.elementCount = elementCount
        self.quantizationStep = quantizationStep
        allowance = max(maxAbsError, scale * Self.float32Epsilon)
    }

    /// The error one differently rounded tie explains for an output on an integer grid: one
    /// `quantizationStep`, plus the float32 rounding of two dequantized values of this output's
    /// size; nil for a float output.
    public var tieAllowance: Double? {
        quantizationStep.map { $0 + 2 * scale * Self.float32Epsilon }
    }

    /// What float16 arithmetic explains for this output: `allowance` × 2¹³, the ratio of float16's
    /// unit roundoff (2⁻¹¹) to float32's (2⁻²⁴). Rounding errors grow through a network in
    /// proportion to the unit roundoff, so a correct float16 execution of a model whose float32
    /// run is this far from exact lands about this far from golden: measured at 0.2–0.5× on
    /// EfficientNetB0, EfficientNetV2B1 and torchvision resnet18.
    public var float16Allowance: Double { allowance * Self.float16ToFloat32Roundoff }

    /// The largest floor, as a fraction of the output's largest value, that still measures float32
    /// rounding. Above it the two runs disagree beyond rounding (a discrete choice such as NMS, a
    /// threshold or an argmax went the other way, or detections came out in another order) and
    /// the floor cannot judge the output. On the zoo, correct floors reach 5e-4 of the scale
    /// (ResNet152, EfficientNetV2L); Faster R-CNN's unpaired boxes and labels reach 0.45–0.6.
    public static let maxMeaningfulFraction = 0.01

    /// True when the floor measures rounding, not a discrete disagreement between the two runs
    /// (`maxMeaningfulFraction`). On an integer grid one step is rounding (a tie), however large
    /// against the output's values: a softmax quantized to 1/256 holds values of a step or two.
    /// An output whose values lie below float32's normal range (a classifier whose logits are all
    /// but zero) is judged too: there the float32 run flushes what the float64 run keeps, which is
    /// underflow, not a discrete choice.
    public var isMeaningful: Bool {
        allowance.isFinite && (allowance <= scale * Self.maxMeaningfulFraction || tieAllowance.map { allowance <= $0 } == true
                               || allowance < Double(Float.leastNormalMagnitude))
    }

    /// The detections a correct float32 execution may lack a golden counterpart for: twice the
    /// detections without counterpart between this executor's float32 and float64 runs, since the
    /// golden outputs and the cell's are two float32 executions, each that far from exact; 0 when
    /// the two runs agree on every detection (or the output holds none).
    public var unpairedDetectionAllowance: Int {
        detections.map { 2 * $0.unpaired } ?? 0
    }

    /// True when float32 rounding alone could explain every detection without counterpart: the
    /// float32 and float64 runs pair at most half of their detections, so twice their difference
    /// covers them all and the detection agreement gate could not fail (a random-weight detector
    /// whose queries tie, where two correct runs select other ones).
    public var detectionsBeyondRounding: Bool {
        detections.map { $0.unpaired > 0 && unpairedDetectionAllowance >= max($0.golden, $0.actual) } ?? false
    }

    /// 2¹³: float16's unit roundoff over float32's.
    public static let float16ToFloat32Roundoff = 8192.0

    /// 2⁻²³, the spacing of float32 values in [1, 2).
    public static let float32Epsilon = Double(Float.ulpOfOne)

    /// The floor from one output's float32 and float64 values, in the same element order.
    ///
    /// Elements where either value is not finite count only when they disagree (NaN against a
    /// number, or ∞ against anything else), which makes the floor infinite: then the float32 run
    /// itself overflows where the float64 run does not, and no finite tolerance is meaningful.
    public static func measure(float32: [Double], float64: [Double]) -> NoiseFloor {
        var maxAbs = 0.0, squares = 0.0, signal = 0.0, scale = 0.0
        for (single, double) in zip(float32, float64) {
            guard single.isFinite && double.isFinite else {
                let same = (single.isNaN && double.isNaN) || single == double
                if !same { maxAbs = .infinity }
                continue
            }
            let difference = abs(single - double)
            maxAbs = max(maxAbs, difference)
            squares += difference * difference
            signal += double * double
            scale = max(scale, abs(double))
        }
        let count = min(float32.count, float64.count)
        let snr = squares == 0 ? Double.infinity : (signal == 0 ? -Double.infinity : 10 * log10(signal / squares))
        return NoiseFloor(maxAbsError: maxAbs, rmsError: count > 0 ? (squares / Double(count)).squareRoot() : 0,
                          scale: scale, snrDB: snr, elementCount: count)
    }
}
