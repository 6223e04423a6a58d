/// Classification accuracy of a cell against integer labels, and its loss against the golden
/// outputs' own accuracy on the same labels.
///
/// Accuracies are fractions (0.93); a loss of 0.012 is 1.2 percentage points.
public struct AccuracyMetrics: Sendable, Hashable, Codable {
    /// The output the predictions come from.
    public var output: String
    public var samples: Int
    /// Accuracy of the golden outputs.
    public var goldenAccuracy: Double
    /// Accuracy of this cell's outputs.
    public var accuracy: Double
    /// goldenAccuracy − accuracy (negative when the cell does better).
    public var loss: Double
    /// loss / goldenAccuracy, or nil when the golden accuracy is 0.
    public var relativeLoss: Double?

    public init(output: String, samples: Int, goldenAccuracy: Double, accuracy: Double) {
        self.output = output
        self.samples = samples
        self.goldenAccuracy = goldenAccuracy
        self.accuracy = accuracy
        loss = goldenAccuracy - accuracy
        relativeLoss = goldenAccuracy > 0 ? (goldenAccuracy - accuracy) / goldenAccuracy : nil
    }

    /// Accuracy of both outputs on `labels`.
    ///
    /// The prediction of a sample is the arg-max of its values; with one value per sample it is
    /// `value ≥ 0.5` (a sigmoid output), 1 or 0.
    /// - Throws: `CompareError.labelCount` when the label count is not the sample count.
    public static func compute(output: String, actual: [Double], golden: [Double], shape: [Int], labels: [Int64]) throws(CompareError) -> AccuracyMetrics {
        let samples = shape.first ?? 1
        guard samples == labels.count, samples > 0 else {
            throw .labelCount(output: output, samples: samples, labels: labels.count)
        }
        let width = shape.dropFirst().reduce(1, *)
        guard actual.count == samples * width, golden.count == samples * width else {
            throw .shapeMismatch(output: output, actual: [actual.count], golden: shape)
        }
        return AccuracyMetrics(output: output, samples: samples,
                               goldenAccuracy: accuracy(golden, width: width, labels: labels),
                               accuracy: accuracy(actual, width: width, labels: labels))
    }

    /// The share of samples whose prediction equals its label.
    public static func accuracy(_ values: [Double], width: Int, labels: [Int64]) -> Double {
        guard !labels.isEmpty else { return 0 }
        var correct = 0
        for (sample, label) in labels.enumerated() {
            let row = values[sample * width ..< (sample + 1) * width]
            let predicted: Int?
            if width == 1 {
                predicted = row.first.map { $0 >= 0.5 ? 1 : 0 }
            } else {
                predicted = OutputComparator.argmax(row)
            }
            if let predicted, Int64(predicted) == label { correct += 1 }
        }
        return Double(correct) / Double(labels.count)
    }
}
