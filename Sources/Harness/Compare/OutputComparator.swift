import Foundation
import ModelIR

/// Compares one output with its golden values: the comparison half of produce → compare → judge.
///
/// Pure functions of the two value arrays and the thresholds, so results saved by one run can be
/// compared again later.
public enum OutputComparator {
    /// Compares tensors of any real numeric type; shapes must hold the same number of elements.
    ///
    /// - Parameters:
    ///   - thresholds: the output's gates; `rtol` and `atol` (0 when absent) drive the mismatch
    ///     count, and `match` pairs the values before anything is compared (`DetectionMatching`).
    ///   - noiseFloor: the output's noise floor, which `floorRatio` is measured against.
    /// - Throws: `CompareError.shapeMismatch` or `.notNumeric`.
    public static func compare(name: String, actual: Tensor, golden: Tensor, thresholds: Thresholds = Thresholds(),
                               noiseFloor: NoiseFloor? = nil) throws(CompareError) -> OutputMetrics {
        guard actual.elementCount == golden.elementCount || (thresholds.match ?? .elements) != .elements else {
            throw .shapeMismatch(output: name, actual: actual.shape, golden: golden.shape)
        }
        let actualValues: [Double], goldenValues: [Double]
        do {
            actualValues = try actual.doubleValues()
            goldenValues = try golden.doubleValues()
        } catch {
            throw .notNumeric(output: name, reason: error.description)
        }
        return try compare(name: name, actual: actualValues, golden: goldenValues, shape: golden.shape, actualShape: actual.shape,
                           thresholds: thresholds, noiseFloor: noiseFloor)
    }

    /// Compares flat value arrays laid out in `shape` (row-major, first axis = samples).
    ///
    /// - Parameters:
    ///   - actualShape: the layout of `actual` when it differs from `shape` in the number of
    ///     detections (`match: detections` or `detection_values` only); nil for `shape`.
    ///   - following: another output's pairing of the same detections, which a
    ///     `detection_values` output (scores, classes) follows when its rows fit.
    /// - Throws: `CompareError.shapeMismatch` when a count differs from the shape's, `.notNumeric`
    ///   when the shape does not suit `thresholds.match`.
    public static func compare(name: String, actual unpaired: [Double], golden: [Double], shape: [Int], actualShape: [Int]? = nil,
                               thresholds: Thresholds = Thresholds(), noiseFloor: NoiseFloor? = nil,
                               following: DetectionMatching.Pairing? = nil) throws(CompareError) -> OutputMetrics {
        try comparing(name: name, actual: unpaired, golden: golden, shape: shape, actualShape: actualShape, thresholds: thresholds,
                      noiseFloor: noiseFloor, following: following).metrics
    }

    /// `compare`, with the pairing of the rows under `match` (nil for `elements`).
    static func comparing(name: String, actual unpaired: [Double], golden unpairedGolden: [Double], shape: [Int], actualShape: [Int]?,
                          thresholds: Thresholds, noiseFloor: NoiseFloor?,
                          following: DetectionMatching.Pairing?,
                          classes: DetectionMatching.RowClasses? = nil) throws(CompareError) -> (metrics: OutputMetrics, pairing: DetectionMatching.Pairing?) {
        let match = thresholds.match ?? .elements
        if match == .elements {
            let count = shape.reduce(1, *)
            guard unpaired.count == count, unpairedGolden.count == count, actualShape.map({ $0.reduce(1, *) == count }) ?? true else {
                throw .shapeMismatch(output: name, actual: actualShape ?? [unpaired.count], golden: shape)
            }
        }
        let paired = try DetectionMatching.pair(actual: unpaired, actualShape: actualShape ?? shape, golden: unpairedGolden, goldenShape: shape,
                                                match: match, output: name, following: following, classes: classes,
                                                shiftAllowance: Self.counterpartShift(thresholds: thresholds, noiseFloor: noiseFloor))
        let actual = paired.actual, golden = paired.golden
        let count = golden.count
        let rtol = thresholds[.rtol] ?? 0
        let atol = thresholds[.atol] ?? 0
        var histogram = ErrorHistogram.empty
        var maxAbs = 0.0, sumAbs = 0.0, maxRel = 0.0
        var dot = 0.0, normActual = 0.0, normGolden = 0.0, noise = 0.0
        var finitePairs = 0, mismatches = 0
        var minAtol = 0.0, minRtol = 0.0
        var nan = 0, inf = 0, goldenNaN = 0, goldenInf = 0
        for index in 0..<count {
            let a = actual[index], g = golden[index]
            if a.isNaN { nan += 1 } else if a.isInfinite { inf += 1 }
            if g.isNaN { goldenNaN += 1 } else if g.isInfinite { goldenInf += 1 }
            guard a.isFinite && g.isFinite else {
                let same = (a.isNaN && g.isNaN) || (a.isInfinite && a == g)
                if !same {
                    mismatches += 1
                    maxAbs = .infinity
                    minAtol = .infinity
                    minRtol = .infinity
                    histogram.bins[histogram.bins.count - 1].count += 1
                } else {
                    histogram.bins[0].count += 1
                }
                continue
            }
            let difference = abs(a - g)
            let magnitude = abs(g)
            finitePairs += 1
            maxAbs = max(maxAbs, difference)
            sumAbs += difference
            if magnitude > 0 { maxRel = max(maxRel, difference / magnitude) }
            dot += a * g
            normActual += a * a
            normGolden += g * g
            noise += (a - g) * (a - g)
            if !(difference <= atol + rtol * magnitude) { mismatches += 1 }
            minAtol = max(minAtol, difference - rtol * magnitude)
            if difference > atol {
                minRtol = magnitude > 0 ? max(minRtol, (difference - atol) / magnitude) : .infinity
            }
            histogram.bins[ErrorHistogram.index(of: difference)].count += 1
        }
        let cosine: Double
        if normActual == 0 && normGolden == 0 {
            cosine = 1
        } else if normActual == 0 || normGolden == 0 {
            cosine = 0
        } else {
            cosine = min(1, max(-1, dot / (normActual.squareRoot() * normGolden.squareRoot())))
        }
        let snr: Double = noise == 0 ? .infinity : (normGolden == 0 ? -.infinity : 10 * log10(normGolden / noise))
        let metrics = OutputMetrics(
            name: name, shape: shape, elementCount: count,
            maxAbsError: maxAbs, meanAbsError: finitePairs > 0 ? sumAbs / Double(finitePairs) : 0,
            maxRelError: maxRel, cosine: cosine, snrDB: snr, rtol: rtol, atol: atol,
            mismatchCount: mismatches, mismatchFraction: count > 0 ? Double(mismatches) / Double(count) : 0,
            minPassingAtol: max(0, minAtol), minPassingRtol: minRtol,
            nanCount: nan, infCount: inf, goldenNaNCount: goldenNaN, goldenInfCount: goldenInf,
            top1Agreement: match == .elements ? top1Agreement(actual: actual, golden: golden, shape: shape) : nil,
            errorHistogram: histogram, thresholds: thresholds, noiseFloor: noiseFloor,
            reorderedRows: paired.pairing?.reorderedRows, detections: paired.pairing?.counts)
        return (metrics, paired.pairing)
    }

    /// The share of samples whose arg-max agrees, or nil when an output has fewer than two values
    /// per sample or no samples.
    public static func top1Agreement(actual: [Double], golden: [Double], shape: [Int]) -> Double? {
        guard shape.count >= 2, let samples = shape.first, samples > 0 else { return nil }
        let width = shape.dropFirst().reduce(1, *)
        guard width >= 2, actual.count == samples * width, golden.count == samples * width else { return nil }
        var agree = 0
        for sample in 0..<samples {
            let range = sample * width ..< (sample + 1) * width
            if argmax(actual[range]) == argmax(golden[range]) { agree += 1 }
        }
        return Double(agree) / Double(samples)
    }

    /// The index (from 0) of the largest value, NaN ignored; the first on ties; nil when all are NaN.
    static func argmax(_ values: ArraySlice<Double>) -> Int? {
        var best: Int?
        var bestValue = -Double.infinity
        for (offset, value) in values.enumerated() where !value.isNaN {
            if best == nil || value > bestValue {
                best = offset
                bestValue = value
            }
        }
        return best
    }

    /// The corner shift within which two boxes are counterparts whatever their IoU, from the noise
    /// floor gate: a box that moved by no more than `max_floor_ratio` × the floor passes that gate,
    /// so it is the same detection; nil without a meaningful floor and the gate.
    static func counterpartShift(thresholds: Thresholds, noiseFloor: NoiseFloor?) -> Double? {
        guard let ratio = thresholds[.maxFloorRatio], let noiseFloor, noiseFloor.isMeaningful else { return nil }
        return ratio * noiseFloor.allowance
    }
}
