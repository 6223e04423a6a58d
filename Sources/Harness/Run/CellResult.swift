import GraphChecker
import Passes

/// Everything measured for one model × path cell: what the runner fills in, step by step, before
/// `Gates` judges it and the report is written.
///
/// A runner that stops at a failing stage sets `error` and leaves later fields empty; `Gates`
/// then gives the cell the verdict `error`.
public struct CellResult: Sendable, Hashable, Codable {
    public var model: String
    public var path: String
    /// The model whose golden outputs judged this one, when it is not `model` (a student's teacher).
    public var goldenModel: String?
    public var error: CellError?
    /// `check` findings on the converted model.
    public var findings: [Finding]
    /// One entry per compared output, in the model's output order.
    public var outputs: [OutputMetrics]
    public var accuracy: AccuracyMetrics?
    public var size: SizeMetrics?
    public var latency: LatencyMetrics?
    public var diagnosis: Diagnosis?
    public var weightErrors: [WeightDeviation]?
    /// Int8 paths: each quantized node's share of the output noise, and what `int8-auto` kept float.
    public var quantization: QuantizationSensitivity?
    /// The cell gates (`max_accuracy_loss`, `max_size_ratio`, …) this cell is judged by.
    public var budget: Thresholds
    /// Wall-clock time spent on the cell.
    public var durationSeconds: Double
    /// What this run took from the cell cache: the whole result, or the path's model (judged again).
    public var cache: CacheUse?

    public init(model: String, path: String, goldenModel: String? = nil, error: CellError? = nil, findings: [Finding] = [],
                outputs: [OutputMetrics] = [], accuracy: AccuracyMetrics? = nil, size: SizeMetrics? = nil,
                latency: LatencyMetrics? = nil, diagnosis: Diagnosis? = nil, weightErrors: [WeightDeviation]? = nil,
                quantization: QuantizationSensitivity? = nil, budget: Thresholds = Thresholds(), durationSeconds: Double = 0) {
        self.model = model
        self.path = path
        self.goldenModel = goldenModel
        self.error = error
        self.findings = findings
        self.outputs = outputs
        self.accuracy = accuracy
        self.size = size
        self.latency = latency
        self.diagnosis = diagnosis
        self.weightErrors = weightErrors
        self.quantization = quantization
        self.budget = budget
        self.durationSeconds = durationSeconds
    }

    public var key: CellKey { CellKey(model: model, path: path) }
}

/// How a cell used the cell cache.
public enum CacheUse: String, Sendable, Hashable, Codable {
    /// The result of an earlier run with the same inputs, thresholds and settings.
    case result
    /// The path's model of an earlier run; the cell was checked, run and judged again.
    case conversion
}

extension CellResult {
    /// Runs one stage of the cell. A thrown error is recorded as the cell's `error` with `stage`
    /// (the first failing stage wins) and nil is returned, so the runner can stop this cell and go
    /// on with the next.
    public mutating func run<T>(_ stage: CellStage, _ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch {
            if self.error == nil { self.error = CellError(stage: stage, message: String(describing: error)) }
            return nil
        }
    }
}
