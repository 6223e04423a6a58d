import Executor
import ModelIR

/// Measures the noise floor (`NoiseFloor`) of every output of a model's fp32 graph: the graph runs
/// on the golden inputs once in float32 on the executor's usual plan and once rewritten to float64
/// (`Float64Widening`), and each output's two results are compared. An output a quantized model
/// dequantizes from an integer grid also carries that grid's step (`OutputQuantizationStep`).
public struct NoiseFloorMeter {
    /// Samples per executor run when the model's batch dimension is free.
    public var batchSize: Int

    public init(batchSize: Int = 64) {
        self.batchSize = batchSize
    }

    /// The floor of each output of `fp32`, by output name.
    ///
    /// - Parameters:
    ///   - model: the model's name, for messages.
    ///   - inputs: the golden inputs by name (all samples are run).
    ///   - file: the golden file, for messages.
    ///   - match: how each output's rows are paired (the float64 run may order near-tie detections
    ///     differently, exactly as another executor may).
    /// - Throws: `NoiseFloorError` naming the model and what failed.
    public func measure(fp32: Model, model: String, inputs: [String: Tensor], file: String,
                        match: (String) -> OutputMatch = { _ in .elements }) throws(NoiseFloorError) -> [String: NoiseFloor] {
        let single: [(name: String, tensor: Tensor)], double: [(name: String, tensor: Tensor)]
        do {
            single = try run(fp32, inputs: inputs, file: file)
        } catch {
            throw .execution(model: model, precision: "float32", reason: String(describing: error))
        }
        do {
            double = try run(try Float64Widening.widened(fp32), inputs: inputs, file: file)
        } catch {
            throw .execution(model: model, precision: "float64", reason: String(describing: error))
        }
        let steps = OutputQuantizationStep.steps(of: fp32)
        var floors: [String: NoiseFloor] = [:]
        for ((name, low), (_, high)) in zip(single, double) {
            guard low.elementCount == high.elementCount || match(name) != .elements, low.strings == nil, !low.dataType.isComplex,
                  !high.dataType.isComplex else { continue }
            do {
                floors[name] = try Self.floor(float32: try low.doubleValues(), float32Shape: low.shape, float64: try high.doubleValues(),
                                              shape: high.shape, match: match(name), output: name)
                floors[name]?.quantizationStep = steps[name]
            } catch {
                throw .execution(model: model, precision: "float64", reason: "output '\(name)': \(error)")
            }
        }
        return floors
    }

    /// The floor of one output from its two runs, the float32 values (laid out in `float32Shape`,
    /// nil for `shape`) paired to the float64 ones under `match` first; detections without a
    /// counterpart on the other side are left out.
    public static func floor(float32: [Double], float32Shape: [Int]? = nil, float64: [Double], shape: [Int], match: OutputMatch,
                             output: String) throws(CompareError) -> NoiseFloor {
        let paired = try DetectionMatching.pair(actual: float32, actualShape: float32Shape ?? shape, golden: float64, goldenShape: shape,
                                                match: match, output: output)
        return NoiseFloor.measure(float32: paired.actual, float64: paired.golden)
    }

    private func run(_ model: Model, inputs: [String: Tensor], file: String) throws -> [(name: String, tensor: Tensor)] {
        let evaluator = try Evaluator(model: model)
        let feeds = try SampleBatches.feeds(for: evaluator.requiredInputs, from: inputs, file: file)
        return try SampleBatches(evaluator: evaluator, batchSize: batchSize).run(feeds)
    }
}

/// Why the noise floor of a model could not be measured.
public enum NoiseFloorError: Error, CustomStringConvertible, Equatable {
    case execution(model: String, precision: String, reason: String)

    public var description: String {
        switch self {
        case let .execution(model, precision, reason):
            "the noise floor of model '\(model)' could not be measured: its fp32 graph failed to run in \(precision): \(reason); "
                + "set rtol/atol or max_abs_error under its tolerances in corpus.yml to judge it without the floor"
        }
    }
}
