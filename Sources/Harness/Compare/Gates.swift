import Foundation
import GraphChecker

/// Judges a `CellResult` against its thresholds: the summarising half of produce → compare → judge.
///
/// A cell is `error` when a stage failed, `fail` when any gate fails, `pass` otherwise. Latency
/// gates apply only when `latency` is on, since shared CI machines time noisily.
public struct Gates: Sendable {
    /// Whether `max_latency_ratio` and `max_latency_p50_ms` are enforced.
    public var latency: Bool

    public init(latency: Bool = false) {
        self.latency = latency
    }

    public func verdict(for result: CellResult) -> Verdict {
        if let error = result.error {
            return Verdict(status: .error, reasons: [error.description])
        }
        guard !result.outputs.isEmpty else {
            return Verdict(status: .error, reasons: ["compare: no output was compared with golden values"])
        }
        var reasons: [String] = []
        let errors = result.findings.filter { $0.level == .error }
        if !errors.isEmpty {
            let shown = errors.prefix(3).map { finding in
                finding.node.map { "\(finding.code) at node '\($0)'" } ?? finding.code
            }
            reasons.append("check: \(errors.count) error\(errors.count == 1 ? "" : "s") (\(shown.joined(separator: ", "))\(errors.count > 3 ? ", …" : ""))")
        }
        for output in result.outputs { reasons += outputReasons(output) }
        reasons += budgetReasons(result)
        return reasons.isEmpty ? .pass : Verdict(status: .fail, reasons: reasons)
    }

    private func outputReasons(_ output: OutputMetrics) -> [String] {
        let t = output.thresholds
        let prefix = "output '\(output.name)': "
        var reasons: [String] = []
        if output.nanCount > output.goldenNaNCount || output.infCount > output.goldenInfCount {
            reasons.append(prefix + "\(output.nanCount) NaN and \(output.infCount) Inf (golden has \(output.goldenNaNCount) and \(output.goldenInfCount))")
        }
        if t[.rtol] != nil || t[.atol] != nil {
            let allowed = t[.maxMismatchFraction] ?? 0
            if output.mismatchFraction > allowed {
                reasons.append(prefix + "\(output.mismatchCount) of \(output.elementCount) elements (\(Self.percent(output.mismatchFraction))) "
                               + "outside rtol=\(Self.number(output.rtol)), atol=\(Self.number(output.atol))"
                               + (allowed > 0 ? " (max \(Self.percent(allowed)))" : "")
                               + "; max abs error \(Self.number(output.maxAbsError)), passes with atol ≥ \(Self.number(output.minPassingAtol))")
            }
        }
        if let limit = t[.maxFloorRatio] {
            reasons += floorReasons(output, limit: limit, prefix: prefix)
        }
        if let limit = t[.maxAbsError], !(output.maxAbsError <= limit) {
            reasons.append(prefix + "max abs error \(Self.number(output.maxAbsError)) > \(Self.number(limit))")
        }
        if let limit = t[.minCosine], !(output.cosine >= limit) {
            reasons += cosineReasons(output, limit: limit, prefix: prefix)
        }
        if let limit = t[.minSNRdB], !(output.snrDB >= limit) {
            reasons.append(prefix + "SNR \(Self.number(output.snrDB, digits: 4)) dB < \(Self.number(limit, digits: 4)) dB")
        }
        if let limit = t[.minDetectionAgreement], let detections = output.detections {
            reasons += detectionReasons(output, detections, limit: limit, prefix: prefix)
        }
        if let limit = t[.minTop1Agreement], let agreement = output.top1Agreement, agreement < limit {
            reasons.append(prefix + "top-1 agreement \(Self.percent(agreement)) < \(Self.percent(limit))")
        }
        return reasons
    }

    /// The `min_detection_agreement` gate: detections without a golden counterpart beyond what
    /// float32 rounding (`NoiseFloor.unpairedDetectionAllowance`) and cut-off ties explain; an
    /// output whose own float32 and float64 runs select other detections cannot be judged by it.
    private func detectionReasons(_ output: OutputMetrics, _ detections: DetectionCounts, limit: Double, prefix: String) -> [String] {
        if let floor = output.noiseFloor, floor.detectionsBeyondRounding, let moved = floor.detections {
            return [prefix + "the fp32 graph's float32 and float64 runs pair only \(moved.paired) of their \(max(moved.golden, moved.actual)) detections: "
                    + "float32 rounding alone selects other detections (near-tied scores), so detection agreement cannot judge this output; "
                    + "compare it with match: elements and rtol/atol or max_abs_error in corpus.yml, or build the golden from inputs "
                    + "whose detections do not tie"]
        }
        guard !(detections.agreement >= limit) else { return [] }
        let noise = output.noiseFloor?.unpairedDetectionAllowance ?? 0, ties = detections.cutoffTies ?? 0
        guard detections.unpaired > noise + ties else { return [] }
        var explained = noise > 0 ? "; float32 rounding explains \(noise) (its float64 run moves \(noise / 2))" : ""
        if ties > 0 { explained += "; \(ties) tie with the weakest score kept" }
        return [prefix + "\(detections.paired) of \(detections.golden) golden detections have a counterpart among the \(detections.actual) "
                + "produced (boxes at IoU ≥ \(Self.number(DetectionMatching.minCounterpartIoU))): agreement \(Self.percent(detections.agreement)) "
                + "< \(Self.percent(limit))" + explained]
    }

    /// The `max_floor_ratio` gate: the max abs error as a multiple of the noise floor. An output on
    /// an integer grid also passes within one quantization step (`NoiseFloor.tieAllowance`), even
    /// where its floor cannot judge it (a quantized network's float64 run lands steps away). An
    /// output paired by detections whose floor is beyond rounding even after pairing (a random-
    /// weight detector whose float32 and float64 runs keep other, overlapping boxes of near-equal
    /// scores) is left to `min_detection_agreement`: its values cannot be compared closer than
    /// "a counterpart box".
    private func floorReasons(_ output: OutputMetrics, limit: Double, prefix: String) -> [String] {
        guard let floor = output.noiseFloor, let ratio = output.floorRatio else {
            return [prefix + "max_floor_ratio is set but the output's noise floor was not measured (the fp32 graph has no output '\(output.name)'); "
                    + "set rtol/atol or max_abs_error for it in corpus.yml"]
        }
        guard floor.allowance.isFinite else {
            return [prefix + "the noise floor is not finite (the float32 run overflows where the float64 run does not); "
                    + "set rtol/atol or max_abs_error for it in corpus.yml"]
        }
        if let tie = floor.tieAllowance, output.maxAbsError <= tie { return [] }
        guard floor.isMeaningful || floor.scale == 0 else {
            if output.detections != nil, output.thresholds[.minDetectionAgreement] != nil { return [] }
            return [prefix + Self.beyondRounding(floor) + "; set match: detections for detection outputs, or rtol/atol or max_abs_error for this "
                    + "output in corpus.yml"]
        }
        guard !(ratio <= limit) else { return [] }
        let step = floor.quantizationStep.map { ", and more than one quantization step \(Self.number($0))" } ?? ""
        var source = ""
        if let distance = floor.goldenDistance, distance > limit * floor.allowance {
            source = "; the fp32 graph's float64 run is \(Self.number(distance)) from the golden too (\(Self.multiple(distance / floor.allowance)) the floor): "
                + "the graph itself, not float32 execution, differs from what produced the golden (an export that does not reproduce its framework, "
                + "or another model's golden)"
        }
        return [prefix + "max abs error \(Self.number(output.maxAbsError)) is \(Self.multiple(ratio)) the noise floor \(Self.number(floor.allowance)) "
                + "(allowed \(Self.multiple(limit)), so \(Self.multiple(ratio / limit)) over\(step))" + source]
    }

    /// Why `floor` cannot judge an output (`NoiseFloor.isMeaningful` is false), for both gates that use it.
    static func beyondRounding(_ floor: NoiseFloor) -> String {
        "the noise floor \(number(floor.allowance)) is \(percent(floor.allowance / floor.scale)) of the output's largest value: the float32 and "
            + "float64 runs of the fp32 graph disagree beyond rounding (a discrete choice such as NMS or a threshold went the other way, or rows "
            + "came out in another order), so the floor cannot judge it"
    }

    /// The `min_cosine` gate, unless `max_fp16_floor_ratio` explains the loss: an output whose
    /// error is within that multiple of the float16 floor passes whatever its cosine.
    private func cosineReasons(_ output: OutputMetrics, limit: Double, prefix: String) -> [String] {
        let cosine = prefix + "cosine \(Self.number(output.cosine, digits: 6)) < \(Self.number(limit, digits: 6))"
        guard let fp16Limit = output.thresholds[.maxFP16FloorRatio] else { return [cosine] }
        guard let floor = output.noiseFloor, let ratio = output.fp16FloorRatio else {
            return [cosine + " (the noise floor that max_fp16_floor_ratio needs was not measured)"]
        }
        guard floor.isMeaningful else {
            return [cosine + " (" + Self.beyondRounding(floor) + ", nor max_fp16_floor_ratio; set match: detections for detection outputs)"]
        }
        guard !(ratio <= fp16Limit) else { return [] }
        return [cosine + ", and max abs error \(Self.number(output.maxAbsError)) is \(Self.multiple(ratio)) what float16 explains "
                + "for this model (2¹³ × noise floor = \(Self.number(floor.float16Allowance)); allowed \(Self.multiple(fp16Limit)))"]
    }

    private func budgetReasons(_ result: CellResult) -> [String] {
        let b = result.budget
        var reasons: [String] = []
        if let accuracy = result.accuracy {
            if let limit = b[.maxAccuracyLoss], accuracy.loss > limit {
                reasons.append("accuracy loss \(Self.points(accuracy.loss)) points > \(Self.points(limit)) "
                               + "(\(Self.percent(accuracy.accuracy)) vs golden \(Self.percent(accuracy.goldenAccuracy)))")
            }
            if let limit = b[.maxRelativeAccuracyLoss], let relative = accuracy.relativeLoss, relative > limit {
                reasons.append("relative accuracy loss \(Self.percent(relative)) > \(Self.percent(limit))")
            }
        }
        if let size = result.size {
            if let limit = b[.maxSizeRatio], let ratio = size.ratio, ratio > limit {
                reasons.append("size \(Self.number(ratio, digits: 3))× fp32 > \(Self.number(limit, digits: 3))×")
            }
            if let limit = b[.maxSizeBytes], Double(size.bytes) > limit {
                reasons.append("size \(size.bytes) bytes > \(Int(limit)) bytes")
            }
        }
        if latency, let timing = result.latency {
            if let limit = b[.maxLatencyRatio], let ratio = timing.ratio, ratio > limit {
                reasons.append("latency p50 \(Self.number(ratio, digits: 3))× fp32 > \(Self.number(limit, digits: 3))×")
            }
            if let limit = b[.maxLatencyP50Ms], timing.p50Ms > limit {
                reasons.append("latency p50 \(Self.number(timing.p50Ms, digits: 4)) ms > \(Self.number(limit, digits: 4)) ms")
            }
        }
        return reasons
    }

    // MARK: Formatting

    /// A compact number: `%.{digits}g`, with `inf`/`nan` spelled out.
    public static func number(_ value: Double, digits: Int = 3) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return String(format: "%.\(digits)g", value)
    }

    /// A multiple: 3.14159 → "3.14×".
    public static func multiple(_ value: Double) -> String {
        number(value) + "×"
    }

    /// A fraction as a percentage: 0.125 → "12.5 %".
    public static func percent(_ fraction: Double) -> String {
        String(format: "%.4g %%", fraction * 100)
    }

    /// A fraction as percentage points: 0.012 → "1.2".
    public static func points(_ fraction: Double) -> String {
        String(format: "%.3g", fraction * 100)
    }
}
