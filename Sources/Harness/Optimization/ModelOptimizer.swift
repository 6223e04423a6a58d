import Foundation
import GraphChecker
import ModelFormats
import ModelIR
import Passes

/// Applies a built-in optimization path to a model, wiring the passes to the executor (constant
/// folding) and to calibration data (static quantization).
public struct ModelOptimizer {
    public var path: OptimizationPath
    public var options: PassOptions
    /// Calibration inputs (sample axis first), needed by paths with `int8-static`.
    public var calibrationSamples: [String: Tensor]?
    public var verifiesEachPass: Bool
    /// Judges int8 candidates (`int8-auto`, and the sensitivity table of `int8-static`).
    public var judge: (any QuantizationJudging)?

    public init(path: OptimizationPath, options: PassOptions = PassOptions(), calibrationSamples: [String: Tensor]? = nil,
                judge: (any QuantizationJudging)? = nil, verifiesEachPass: Bool = PassManager.verifiesByDefault) {
        self.path = path
        self.options = options
        self.calibrationSamples = calibrationSamples
        self.judge = judge
        self.verifiesEachPass = verifiesEachPass
    }

    /// The optimized model, what the passes reported, and the int8 sensitivity when a judge measured it.
    public func optimize(_ model: Model) throws -> (model: Model, findings: [Finding], sensitivity: QuantizationSensitivity?) {
        let stages = try path.stages(options: options)
        let context = PassContext(options: options, constantEvaluator: ExecutorConstantEvaluator(), judge: judge)
        if let calibrationSamples {
            let batch = try options.int("calibration_batch", default: 16)
            let limit = options.string("calibration_samples").flatMap(Int.init)
            context.calibrator = ExecutorCalibrator(samples: calibrationSamples, batchSize: batch, sampleLimit: limit)
        }
        let manager = PassManager(stages: stages, verifiesEachPass: verifiesEachPass)
        let optimized = try manager.run(model, context: context)
        return (optimized, context.findings, context.sensitivity)
    }

    /// An optimizer for the model file at `modelURL` on its own (`modelgate optimize`): calibration
    /// from `calibration`, else the default file beside the model, loaded when the path calibrates;
    /// an executor judge on those samples (and their `labels`) when the path is `int8-auto` or
    /// `sensitivity=true` asks for the table, its gates from `options`.
    ///
    /// - Throws: `ModelOptimizer.SetupError` when the path needs calibration data and there is
    ///   none; the reader's error when the file cannot be read.
    public static func forModelFile(_ modelURL: URL, path: OptimizationPath, options: PassOptions, calibration: URL?) throws -> ModelOptimizer {
        guard path.needsCalibration else { return ModelOptimizer(path: path, options: options) }
        guard let file = calibration ?? defaultCalibrationFile(for: modelURL) else {
            throw SetupError(description: "\(modelURL.path): path '\(path)' needs calibration data: pass --calibration FILE "
                                 + "or put calibration.h5 (or golden.h5) beside the model")
        }
        let samples = try loadCalibrationSamples(file)
        let judged = path.components.contains(.int8Auto) || options.string("sensitivity") == "true"
        let judge = judged ? try ExecutorQuantizationJudge(inputs: samples, file: file.path, labels: try loadLabels(file), options: options) : nil
        return ModelOptimizer(path: path, options: options, calibrationSamples: samples, judge: judge)
    }

    /// Why an optimizer for a model file could not be set up.
    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The calibration file for a model at `modelURL`: `calibration.h5` beside it, else the golden
    /// inputs in `golden.h5`; nil when neither exists.
    public static func defaultCalibrationFile(for modelURL: URL) -> URL? {
        let folder = modelURL.deletingLastPathComponent()
        for name in ["calibration.h5", "golden.h5"] {
            let url = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    /// The `labels` dataset of a calibration or golden file, if it has one.
    public static func loadLabels(_ url: URL) throws(ModelFormatError) -> Tensor? {
        try HDF5TensorFile.read(url)["labels"]
    }

    /// The `inputs` group of a calibration or golden file.
    public static func loadCalibrationSamples(_ url: URL) throws(ModelFormatError) -> [String: Tensor] {
        try HDF5TensorFile.read(url, group: "inputs")
    }
}
