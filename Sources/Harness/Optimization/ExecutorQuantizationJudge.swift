import Executor
import Foundation
import ModelIR
import Passes

/// Judges candidate quantizations with the executor: their output noise against the float model
/// on the first `sensitivitySamples` evaluation samples, and their gates on all of them.
///
/// The gates are a cell's own (`GoldenComparison` against golden outputs and labels, then
/// `Gates`), or, outside a corpus (`modelgate optimize`), the same comparison against the float
/// model's outputs on the calibration inputs with thresholds from pass options.
public final class ExecutorQuantizationJudge: QuantizationJudging {
    /// Golden outputs to judge against; nil to use the float reference's outputs.
    public struct Golden {
        public var outputs: [String: Tensor]
        public var labels: Tensor?
        public init(outputs: [String: Tensor], labels: Tensor?) {
            self.outputs = outputs
            self.labels = labels
        }
    }

    let inputs: [String: Tensor]
    let file: String
    let golden: Golden?
    let labels: Tensor?
    let tolerance: (String) -> Thresholds
    let budget: Thresholds
    let batchSize: Int
    public let sensitivitySamples: Int
    private var referenceSubset: [(name: String, tensor: Tensor)] = []
    private var referenceOutputs: [String: Tensor]?
    private var reference: Model?
    private var noiseFloors: [String: NoiseFloor]?

    /// - Parameters:
    ///   - inputs: evaluation inputs, sample axis first (golden or calibration inputs); `file` names them.
    ///   - golden: the golden outputs and labels, or nil to judge against the float model (with `labels`).
    ///   - tolerance: each output's thresholds; `budget`: the cell gates (`max_accuracy_loss`, …).
    ///   - sensitivitySamples: how many of the inputs the noise measurements run.
    public init(inputs: [String: Tensor], file: String, golden: Golden?, labels: Tensor? = nil, tolerance: @escaping (String) -> Thresholds,
                budget: Thresholds, sensitivitySamples: Int = 16, batchSize: Int = 16) {
        self.inputs = inputs
        self.file = file
        self.golden = golden
        self.labels = golden?.labels ?? labels
        self.tolerance = tolerance
        self.budget = budget
        self.batchSize = batchSize
        let available = inputs.values.map { $0.shape.first ?? 1 }.min() ?? 0
        self.sensitivitySamples = max(1, min(sensitivitySamples, available))
    }

    /// A judge for `modelgate optimize`: gates from the options' threshold keys (`min_cosine`,
    /// `max_accuracy_loss`, …; the `int8-static` defaults when none is set), against the float
    /// model's outputs on `inputs`, with `labels` for accuracy.
    public convenience init(inputs: [String: Tensor], file: String, labels: Tensor?, options: PassOptions) throws {
        var values: [ThresholdKey: Double] = [:]
        for key in ThresholdKey.allCases {
            guard let text = options.string(key.rawValue) else { continue }
            guard let value = Double(text) else { throw PassError.invalidOption(key: key.rawValue, value: text, expected: "a number") }
            values[key] = value
        }
        let thresholds = values.isEmpty ? OptimizationPath.Component.int8Static.defaultThresholds : Thresholds(values)
        let samples = try options.int("sensitivity_samples", default: 16)
        self.init(inputs: inputs, file: file, golden: nil, labels: labels, tolerance: { _ in thresholds.tolerance }, budget: thresholds.budget,
                  sensitivitySamples: samples)
    }

    public func begin(reference: Model) throws {
        self.reference = reference
        noiseFloors = nil
        referenceSubset = try run(reference, limit: sensitivitySamples)
        referenceOutputs = nil
    }

    public func noise(of candidate: Model) throws -> QuantizationNoise {
        let outputs = try run(candidate, limit: sensitivitySamples)
        var noise = 0.0, signal = 0.0
        for (output, expected) in zip(outputs, referenceSubset) {
            guard expected.tensor.dataType.isFloatingPoint, let actual = try? output.tensor.doubleValues(),
                  let wanted = try? expected.tensor.doubleValues(), actual.count == wanted.count else { continue }
            for (a, w) in zip(actual, wanted) where a.isFinite && w.isFinite {
                noise += (a - w) * (a - w)
                signal += w * w
            }
        }
        return QuantizationNoise(ratio: signal > 0 ? noise / signal : (noise > 0 ? .infinity : 0))
    }

    public func meetsGates(_ candidate: Model) throws -> QuantizationJudgement {
        let outputs = try run(candidate, limit: nil)
        let expected: [String: Tensor]
        if let golden {
            expected = golden.outputs
        } else if let referenceOutputs {
            expected = referenceOutputs
        } else {
            guard let reference else { throw PassError.unsupported(pass: "int8-auto", node: "", reason: "the judge was not given the float model") }
            expected = Dictionary(try run(reference, limit: nil).map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
            referenceOutputs = expected
        }
        let comparison = try GoldenComparison.compare(actual: outputs, golden: expected, labels: labels, thresholds: tolerance) {
            if let noiseFloors { return noiseFloors }
            guard let reference else { return [:] }
            let floors = try NoiseFloorMeter(batchSize: batchSize).measure(fp32: reference, model: reference.graph.name, inputs: inputs, file: file,
                                                                           match: { self.tolerance($0).match ?? .elements })
            noiseFloors = floors
            return floors
        }
        let result = CellResult(model: "", path: "", outputs: comparison.outputs, accuracy: comparison.accuracy, budget: budget)
        let verdict = Gates().verdict(for: result)
        if verdict.status == .pass {
            let cosine = comparison.outputs.map(\.cosine).min() ?? 1
            let accuracy = comparison.accuracy.map { String(format: ", accuracy %.2f %% (golden %.2f %%)", $0.accuracy * 100, $0.goldenAccuracy * 100) } ?? ""
            return QuantizationJudgement(passes: true, summary: String(format: "cosine %.6f", cosine) + accuracy)
        }
        return QuantizationJudgement(passes: false, summary: verdict.reasons.joined(separator: "; "))
    }

    private func run(_ model: Model, limit: Int?) throws -> [(name: String, tensor: Tensor)] {
        let evaluator = try Evaluator(model: model)
        let feeds = try SampleBatches.feeds(for: evaluator.requiredInputs, from: inputs, file: file)
        return try SampleBatches(evaluator: evaluator, batchSize: batchSize).run(feeds, limit: limit)
    }
}
