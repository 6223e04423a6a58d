import Foundation
import ModelIR

/// How activation ranges are chosen from calibration data.
public enum CalibrationMethod: String, Sendable, CaseIterable {
    /// The observed minimum and maximum.
    case minMax = "minmax"
    /// The clipping threshold that minimises the KL divergence between the histogram of |x| and its
    /// quantized form (TensorRT's entropy calibration).
    case entropy
    /// The given percentile of |x| (99.999 by default).
    case percentile
}

/// What a stage needs measured before it runs: the values to observe and how.
public struct CalibrationRequest: Sendable {
    public var method: CalibrationMethod
    public var percentile: Double
    /// Histogram bins over [0, max |x|] (entropy and percentile).
    public var bins: Int
    /// The values to observe in the model the stage will see.
    public var targets: @Sendable (Model) throws -> [String]

    public init(method: CalibrationMethod, percentile: Double = 99.999, bins: Int = 2048,
                targets: @escaping @Sendable (Model) throws -> [String]) {
        self.method = method
        self.percentile = percentile
        self.bins = bins
        self.targets = targets
    }

    /// Whether a second pass over the data must fill histograms.
    public var needsHistogram: Bool { method != .minMax }
}

/// Running statistics of one value over calibration samples, of constant size whatever the number
/// of samples: the range (first pass) and, when asked, a histogram of |x| over `[0, limit]` (second pass).
public struct TensorStatistics: Sendable, Equatable {
    public private(set) var minimum: Float = .infinity
    public private(set) var maximum: Float = -.infinity
    public private(set) var observedCount = 0
    public private(set) var histogram: [Double] = []
    public private(set) var histogramLimit: Float = 0

    public init() {}

    /// First pass: widens the range to cover `values` (NaNs are ignored).
    public mutating func observeRange<C: Collection>(_ values: C) where C.Element == Float {
        for value in values where !value.isNaN {
            if value < minimum { minimum = value }
            if value > maximum { maximum = value }
        }
        observedCount += values.count
    }

    /// Second pass set-up: `bins` empty bins over `[0, max(|min|, |max|)]`.
    public mutating func startHistogram(bins: Int) {
        histogramLimit = max(abs(minimum.isFinite ? minimum : 0), abs(maximum.isFinite ? maximum : 0))
        histogram = Array(repeating: 0, count: max(bins, 1))
    }

    /// Second pass: counts |x| of `values` (values beyond the limit go to the last bin).
    public mutating func observeHistogram<C: Collection>(_ values: C) where C.Element == Float {
        guard !histogram.isEmpty else { return }
        let bins = histogram.count
        guard histogramLimit > 0 else {
            histogram[0] += Double(values.count)
            return
        }
        let scale = Float(bins) / histogramLimit
        for value in values where !value.isNaN {
            let bin = min(Int(abs(value) * scale), bins - 1)
            histogram[bin] += 1
        }
    }

    /// The range to quantize to.
    public func range(method: CalibrationMethod, percentile: Double = 99.999) -> (lower: Float, upper: Float) {
        guard minimum <= maximum else { return (0, 0) }
        let threshold: Float
        switch method {
        case .minMax: return (minimum, maximum)
        case .percentile: threshold = percentileThreshold(percentile)
        case .entropy: threshold = entropyThreshold()
        }
        return (max(minimum, -threshold), min(maximum, threshold))
    }

    private var binWidth: Float { histogram.isEmpty ? 0 : histogramLimit / Float(histogram.count) }

    private func percentileThreshold(_ percentile: Double) -> Float {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return histogramLimit }
        let wanted = total * min(max(percentile, 0), 100) / 100
        var running = 0.0
        for (bin, count) in histogram.enumerated() {
            running += count
            if running >= wanted { return Float(bin + 1) * binWidth }
        }
        return histogramLimit
    }

    /// TensorRT's search: for each candidate threshold (in bins, from `quantizedBins` up), the
    /// histogram clipped there (outliers added to the last bin) against its merge into
    /// `quantizedBins` levels expanded back; the threshold of least KL divergence wins.
    private func entropyThreshold(quantizedBins: Int = 128) -> Float {
        let bins = histogram.count
        guard bins > quantizedBins, histogram.reduce(0, +) > 0 else { return histogramLimit }
        var suffix = [Double](repeating: 0, count: bins + 1)
        for bin in stride(from: bins - 1, through: 0, by: -1) { suffix[bin] = suffix[bin + 1] + histogram[bin] }
        var best = bins
        var bestDivergence = Double.infinity
        var reference = [Double](repeating: 0, count: bins)
        var expanded = [Double](repeating: 0, count: bins)
        for cut in stride(from: quantizedBins, through: bins, by: 1) {
            for bin in 0..<cut { reference[bin] = histogram[bin] }
            reference[cut - 1] += suffix[cut]
            let referenceTotal = suffix[0]
            // Merge histogram[0..<cut] into quantizedBins levels, spread each level over its non-empty bins.
            let perLevel = Double(cut) / Double(quantizedBins)
            for level in 0..<quantizedBins {
                let start = Int((Double(level) * perLevel).rounded(.down))
                let end = level == quantizedBins - 1 ? cut : Int((Double(level + 1) * perLevel).rounded(.down))
                var sum = 0.0
                var nonEmpty = 0
                for bin in start..<end {
                    sum += histogram[bin]
                    if histogram[bin] != 0 { nonEmpty += 1 }
                }
                for bin in start..<end {
                    expanded[bin] = histogram[bin] != 0 && nonEmpty > 0 ? sum / Double(nonEmpty) : 0
                }
            }
            let expandedTotal = expanded[0..<cut].reduce(0, +)
            guard expandedTotal > 0 else { continue }
            var divergence = 0.0
            for bin in 0..<cut where reference[bin] > 0 {
                let p = reference[bin] / referenceTotal
                let q = max(expanded[bin] / expandedTotal, 1e-12)
                divergence += p * log(p / q)
            }
            if divergence < bestDivergence {
                bestDivergence = divergence
                best = cut
            }
        }
        return Float(best) * binWidth
    }
}

/// The statistics of every calibrated value, handed to the quantization pass.
public struct CalibrationTable: Sendable {
    public var statistics: [String: TensorStatistics]
    public var method: CalibrationMethod
    public var percentile: Double
    /// How many samples were streamed through the model.
    public var sampleCount: Int

    public init(statistics: [String: TensorStatistics], method: CalibrationMethod, percentile: Double = 99.999, sampleCount: Int = 0) {
        self.statistics = statistics
        self.method = method
        self.percentile = percentile
        self.sampleCount = sampleCount
    }

    /// The range of `name`, or nil when it was not observed.
    public func range(of name: String) -> (lower: Float, upper: Float)? {
        range(of: name, method: method)
    }

    /// The range of `name` by another method than the table's (MinMax needs no histogram, so it always works).
    public func range(of name: String, method: CalibrationMethod) -> (lower: Float, upper: Float)? {
        guard let stats = statistics[name], stats.observedCount > 0 else { return nil }
        return stats.range(method: stats.histogram.isEmpty ? .minMax : method, percentile: percentile)
    }
}
