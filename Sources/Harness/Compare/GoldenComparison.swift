import ModelIR

/// Compares all outputs of one cell with the golden file's datasets: what the runner calls after
/// executing the golden inputs.
public enum GoldenComparison {
    /// The compared outputs and, when labels exist, the accuracy.
    public struct Result: Sendable, Hashable {
        public var outputs: [OutputMetrics]
        public var accuracy: AccuracyMetrics?
    }

    /// Pairs model outputs with golden datasets by name; a model with one output and a golden file
    /// with one output pair up whatever their names (docs/corpus-manifest.md, "Models").
    ///
    /// - Returns: (model output, golden dataset) names in model output order.
    /// - Throws: `CompareError.missingGolden` for an output without a dataset.
    public static func pair(outputs: [String], golden: [String]) throws(CompareError) -> [(output: String, golden: String)] {
        if outputs.count == 1, golden.count == 1 { return [(outputs[0], golden[0])] }
        var pairs: [(output: String, golden: String)] = []
        for output in outputs {
            guard golden.contains(output) else { throw .missingGolden(output: output, available: golden.sorted()) }
            pairs.append((output, output))
        }
        return pairs
    }

    /// `compare`, with noise floors where the thresholds need them: measured (by `floors`) up front
    /// when an output has `max_floor_ratio`, else only when a float16 output falls short of its
    /// cosine (`OutputMetrics.needsFP16Floor`). The one comparison a cell and an int8 judge make.
    public static func compare(actual: [(name: String, tensor: Tensor)], golden: [String: Tensor], labels: Tensor? = nil,
                               thresholds: (String) -> Thresholds, measuringFloors floors: () throws -> [String: NoiseFloor]) throws -> Result {
        if actual.contains(where: { thresholds($0.name)[.maxFloorRatio] != nil }) {
            return try compare(actual: actual, golden: golden, labels: labels, thresholds: thresholds, noiseFloors: try floors())
        }
        let result = try compare(actual: actual, golden: golden, labels: labels, thresholds: thresholds)
        guard result.outputs.contains(where: \.needsFP16Floor) else { return result }
        return try compare(actual: actual, golden: golden, labels: labels, thresholds: thresholds, noiseFloors: try floors())
    }

    /// Compares every output with its golden tensor and computes accuracy from `labels`.
    ///
    /// Accuracy comes from the first output (in model order) compared element by element with one
    /// or more values per sample whose sample count matches the labels. Outputs with `match:
    /// detections` are compared first, and `detection_values` outputs (scores, classes) pair their
    /// rows as the first of them does (the same detections), when their rows fit; an integer
    /// `detection_values` output (labels) keeps the boxes' counterparts within a class
    /// (`DetectionMatching.RowClasses`). With a noise floor for the first floating-point
    /// `detection_values` output (scores), every paired output's `detections.cutoffTies` counts the
    /// detections without counterpart whose score ties, within `max_floor_ratio` × that floor, with
    /// the weakest the other side kept.
    /// - Parameters:
    ///   - actual: the cell's outputs in model output order.
    ///   - golden: the golden file's `outputs/<name>` tensors by name.
    ///   - labels: the golden file's labels (`int64 [N]`), if any.
    ///   - thresholds: the per-output gates, e.g. `{ manifest.tolerance(model:path:output:$0) }`.
    ///   - noiseFloors: the noise floor of each output by name, where one was measured.
    /// - Throws: `CompareError`.
    public static func compare(actual: [(name: String, tensor: Tensor)], golden: [String: Tensor], labels: Tensor? = nil,
                               thresholds: (String) -> Thresholds, noiseFloors: [String: NoiseFloor] = [:]) throws(CompareError) -> Result {
        let pairs = try pair(outputs: actual.map(\.name), golden: Array(golden.keys))
        var outputs: [OutputMetrics] = []
        var accuracy: AccuracyMetrics?
        let labelValues: [Int64]?
        do { labelValues = try labels?.int64Values() } catch { throw .notNumeric(output: "labels", reason: error.description) }
        var detectionPairing: DetectionMatching.Pairing?
        let outputThresholds = pairs.map { thresholds($0.output) }
        let matches = outputThresholds.map { $0.match ?? .elements }
        let order = DetectionMatching.pairingOrder(matches)
        let matchByName = Dictionary(zip(pairs.map(\.output), matches), uniquingKeysWith: { first, _ in first })
        let classes = DetectionMatching.RowClasses.find(in: pairs.indices.map { (pairs[$0].output, actual[$0].tensor, golden[pairs[$0].golden]) },
                                                        match: { matchByName[$0] ?? .elements })
        var measured: [(index: Int, metrics: OutputMetrics)] = []
        var scores: (actual: [Double], golden: [Double], tolerance: Double)?
        for index in order {
            let pair = pairs[index]
            guard let goldenTensor = golden[pair.golden] else { continue }
            let tensor = actual[index].tensor
            let match = outputThresholds[index].match ?? .elements
            guard tensor.elementCount == goldenTensor.elementCount || match != .elements else {
                throw .shapeMismatch(output: pair.output, actual: tensor.shape, golden: goldenTensor.shape)
            }
            let actualValues: [Double], goldenValues: [Double]
            do {
                actualValues = try tensor.doubleValues()
                goldenValues = try goldenTensor.doubleValues()
            } catch {
                throw .notNumeric(output: pair.output, reason: error.description)
            }
            let compared = try OutputComparator.comparing(name: pair.output, actual: actualValues, golden: goldenValues, shape: goldenTensor.shape,
                                                          actualShape: tensor.shape, thresholds: outputThresholds[index],
                                                          noiseFloor: noiseFloors[pair.output], following: match == .detectionValues ? detectionPairing : nil,
                                                          classes: match == .detections ? classes : nil)
            if match == .detections, detectionPairing == nil { detectionPairing = compared.pairing }
            if match == .detectionValues, scores == nil, !tensor.dataType.isInteger, compared.pairing?.pairs == detectionPairing?.pairs,
               let floor = noiseFloors[pair.output], let ratio = outputThresholds[index][.maxFloorRatio] {
                scores = (actualValues, goldenValues, ratio * floor.allowance)
            }
            measured.append((index, compared.metrics))
            if accuracy == nil, match == .elements, let labelValues, let samples = goldenTensor.shape.first, samples == labelValues.count, samples > 0 {
                accuracy = try AccuracyMetrics.compute(output: pair.output, actual: actualValues, golden: goldenValues,
                                                       shape: goldenTensor.shape, labels: labelValues)
            }
        }
        outputs = measured.sorted { $0.index < $1.index }.map(\.metrics)
        if let scores, let detectionPairing {
            let ties = detectionPairing.cutoffTies(actualScores: scores.actual, goldenScores: scores.golden, tolerance: scores.tolerance)
            for index in outputs.indices where outputs[index].detections != nil { outputs[index].detections?.cutoffTies = ties }
        }
        return Result(outputs: outputs, accuracy: accuracy)
    }
}
