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
    ///   - float32: the fp32 graph's outputs on these inputs on the executor's usual plan, when the
    ///     caller already has them (an fp32 cell); else they are run here.
    ///   - golden: the golden outputs by name; when every output has one, each floor also holds
    ///     the golden values' distance from the float64 run (`NoiseFloor.goldenDistance`).
    ///   - match: how each output's rows are paired (the float64 run may order near-tie detections
    ///     differently, exactly as another executor may); as in `GoldenComparison`, values follow
    ///     the boxes' pairing and labels keep it within a class.
    /// - Throws: `NoiseFloorError` naming the model and what failed.
    public func measure(fp32: Model, model: String, inputs: [String: Tensor], file: String,
                        match: (String) -> OutputMatch = { _ in .elements },
                        float32 known: [(name: String, tensor: Tensor)]? = nil,
                        golden: [String: Tensor] = [:]) throws(NoiseFloorError) -> [String: NoiseFloor] {
        let single: [(name: String, tensor: Tensor)], double: [(name: String, tensor: Tensor)]
        do {
            single = try known ?? run(fp32, inputs: inputs, file: file)
        } catch {
            throw .execution(model: model, precision: "float32", reason: String(describing: error))
        }
        do {
            double = try run(try Float64Widening.widened(fp32), inputs: inputs, file: file)
        } catch {
            throw .execution(model: model, precision: "float64", reason: String(describing: error))
        }
        let steps = OutputQuantizationStep.steps(of: fp32)
        var floors: [String: NoiseFloor]
        do {
            floors = try Self.floors(float32: single, float64: double, match: match)
        } catch {
            throw .execution(model: model, precision: "float64", reason: String(describing: error))
        }
        for name in floors.keys { floors[name]?.quantizationStep = steps[name] }
        let goldenRun = double.compactMap { output in golden[output.name].map { (name: output.name, tensor: $0) } }
        if goldenRun.count == double.count, let distances = try? Self.floors(float32: goldenRun, float64: double, match: match) {
            for (name, distance) in distances { floors[name]?.goldenDistance = distance.maxAbsError }
        }
        return floors
    }

    /// The floor of each output from its two runs, in the same output order: the float32 values
    /// paired to the float64 ones under `match` first, as `GoldenComparison` pairs a cell's outputs
    /// with golden ones (boxes first, labels keeping counterparts within a class, scores and labels
    /// following the boxes' pairing); detections without a counterpart are left out of the values
    /// and counted (`NoiseFloor.detections`). Outputs of
    /// strings, complex numbers or unequal sizes compared element by element get no floor.
    public static func floors(float32 single: [(name: String, tensor: Tensor)], float64 double: [(name: String, tensor: Tensor)],
                              match: (String) -> OutputMatch) throws(CompareError) -> [String: NoiseFloor] {
        let classes = DetectionMatching.RowClasses.find(in: zip(single, double).map { ($0.name, $0.tensor, $1.tensor) }, match: match)
        let order = DetectionMatching.pairingOrder(single.map { match($0.name) })
        var floors: [String: NoiseFloor] = [:]
        var detectionPairing: DetectionMatching.Pairing?
        for index in order where index < double.count {
            let (name, low) = single[index], high = double[index].tensor
            let outputMatch = match(name)
            guard low.elementCount == high.elementCount || outputMatch != .elements, low.strings == nil, !low.dataType.isComplex,
                  !high.dataType.isComplex else { continue }
            let lowValues: [Double], highValues: [Double]
            do {
                lowValues = try low.doubleValues()
                highValues = try high.doubleValues()
            } catch {
                throw .notNumeric(output: name, reason: String(describing: error))
            }
            let paired = try DetectionMatching.pair(actual: lowValues, actualShape: low.shape, golden: highValues, goldenShape: high.shape,
                                                    match: outputMatch, output: name,
                                                    following: outputMatch == .detectionValues ? detectionPairing : nil,
                                                    classes: outputMatch == .detections ? classes : nil)
            if outputMatch == .detections, detectionPairing == nil { detectionPairing = paired.pairing }
            floors[name] = NoiseFloor.measure(float32: paired.actual, float64: paired.golden)
            floors[name]?.detections = paired.pairing?.counts
        }
        return floors
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
