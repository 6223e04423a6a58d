import Executor
import ModelIR
import Passes

/// Streams calibration samples through the reference executor, a batch at a time, and keeps only
/// running statistics of the requested values — memory does not grow with the number of samples.
///
/// Samples come as tensors whose first axis is the sample axis (`calibration.h5` or golden
/// `inputs/`), matched to the model's inputs by name (a single input takes the single tensor).
/// MinMax needs one pass over the data; entropy and percentile a second one to fill histograms
/// over the range the first pass found.
public struct ExecutorCalibrator: ActivationCalibrating {
    public var samples: [String: Tensor]
    /// Samples per run when the model's batch dimension is free.
    public var batchSize: Int
    /// At most this many samples are used (nil: all).
    public var sampleLimit: Int?

    public init(samples: [String: Tensor], batchSize: Int = 16, sampleLimit: Int? = nil) {
        self.samples = samples
        self.batchSize = batchSize
        self.sampleLimit = sampleLimit
    }

    public func calibrate(_ model: Model, request: CalibrationRequest) throws -> CalibrationTable {
        let targets = try request.targets(model)
        let evaluator = try Evaluator(model: model)
        let feeds = try matchInputs(evaluator.requiredInputs)
        let total = min(feeds.values.map { $0.shape.first ?? 1 }.min() ?? 0, sampleLimit ?? .max)
        guard total > 0 else { throw CalibrationError.noSamples }
        let fixed = fixedBatch(evaluator.requiredInputs)
        let batch = fixed ?? max(batchSize, 1)
        var statistics = Dictionary(uniqueKeysWithValues: targets.map { ($0, TensorStatistics()) })
        let wanted = Set(targets)
        func stream(_ observe: (inout TensorStatistics, UnsafeBufferPointer<Float>) -> Void) throws {
            var start = 0
            while start < total {
                let end = min(start + batch, total)
                if fixed != nil && end - start != batch { break }
                var batchFeeds: [String: Tensor] = [:]
                for (name, tensor) in feeds { batchFeeds[name] = try rows(of: tensor, from: start, to: end) }
                let result = try evaluator.run(tensors: batchFeeds, captureIntermediates: true)
                var seen: Set<String> = []
                for named in result.intermediates + result.outputs where wanted.contains(named.name) && seen.insert(named.name).inserted {
                    guard let tensor = named.value.tensor, tensor.dataType == .float else { continue }
                    tensor.withUnsafeBufferPointer(as: Float.self) { observe(&statistics[named.name]!, $0) }
                }
                for (name, tensor) in batchFeeds where wanted.contains(name) && tensor.dataType == .float {
                    tensor.withUnsafeBufferPointer(as: Float.self) { observe(&statistics[name]!, $0) }
                }
                start = end
            }
        }
        try stream { $0.observeRange($1) }
        if request.needsHistogram {
            for name in targets { statistics[name]?.startHistogram(bins: request.bins) }
            try stream { $0.observeHistogram($1) }
        }
        return CalibrationTable(statistics: statistics, method: request.method, percentile: request.percentile, sampleCount: total)
    }

    private func fixedBatch(_ inputs: [ValueInfo]) -> Int? {
        for input in inputs {
            if let first = input.type?.type.tensorType?.shape?.dimensions.first?.dimension.value { return first }
        }
        return nil
    }

    private func matchInputs(_ inputs: [ValueInfo]) throws(CalibrationError) -> [String: Tensor] {
        do {
            return try InputFeeds.match(inputs, datasets: samples)
        } catch {
            switch error {
            case let .missing(input, available): throw .missingInput(input, available: available)
            case let .unusable(input, reason): throw .unusable(input, reason)
            }
        }
    }

    /// Rows `start..<end` of the first axis.
    private func rows(of tensor: Tensor, from start: Int, to end: Int) throws -> Tensor {
        guard let samples = tensor.shape.first, samples > 0 else { return tensor }
        let rowBytes = tensor.byteCount / samples
        let shape = [end - start] + tensor.shape.dropFirst()
        return try tensor.withUnsafeBytes { raw in
            let slice = UnsafeRawBufferPointer(rebasing: raw[(start * rowBytes)..<(end * rowBytes)])
            return try Tensor(name: tensor.name, dataType: tensor.dataType, shape: shape, buffer: TensorBuffer(copying: slice))
        }
    }
}

/// Why calibration could not run.
public enum CalibrationError: Error, CustomStringConvertible {
    case noSamples
    case missingInput(String, available: [String])
    case unusable(String, String)

    public var description: String {
        switch self {
        case .noSamples: "the calibration data holds no samples"
        case let .missingInput(name, available):
            "the calibration data has no dataset for model input '\(name)' (it has: \(available.joined(separator: ", ")))"
        case let .unusable(name, reason): "calibration data for '\(name)' cannot be used: \(reason)"
        }
    }
}
