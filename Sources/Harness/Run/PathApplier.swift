import Foundation
import GraphChecker
import ModelFormats
import ModelIR
import Passes

/// Turns a model's fp32 graph into a path's graph: runs of built-in steps go through
/// `ModelOptimizer` (the passes' path registry, with calibration for `int8-static`), external
/// steps run their command with `{input}`/`{output}` and read the file it writes back.
public struct PathApplier {
    public var spec: PathSpec
    /// The model's source file: the `{input}` of an external path that comes first.
    public var sourceURL: URL
    /// Where external steps write their intermediate files.
    public var workFolder: URL
    /// Calibration inputs for `int8-static` (loaded lazily by `calibrationSamples`).
    public var calibrationSamples: () throws -> [String: Tensor]?
    /// When an external command still running is stopped (with its process group).
    public var deadline: Date?
    /// Judges int8 candidates against the cell's gates (`int8-auto`, the int8 sensitivity table).
    public var judge: (any QuantizationJudging)?
    /// Options of the built-in steps (`Manifest.passOptions`).
    public var options: PassOptions

    public init(spec: PathSpec, sourceURL: URL, workFolder: URL, deadline: Date? = nil, judge: (any QuantizationJudging)? = nil,
                options: PassOptions = PassOptions(), calibrationSamples: @escaping () throws -> [String: Tensor]?) {
        self.spec = spec
        self.options = options
        self.sourceURL = sourceURL
        self.workFolder = workFolder
        self.deadline = deadline
        self.judge = judge
        self.calibrationSamples = calibrationSamples
    }

    /// The path's model, what the passes reported, and the int8 sensitivity when one was measured.
    public func apply(to fp32: Model) throws -> (model: Model, findings: [Finding], sensitivity: QuantizationSensitivity?) {
        var model = fp32
        var findings: [Finding] = []
        var sensitivity: QuantizationSensitivity?
        var builtins: [OptimizationPath.Component] = []
        var atSource = true

        func flushBuiltins() throws {
            guard !builtins.isEmpty else { return }
            let path = OptimizationPath(components: builtins)
            var samples: [String: Tensor]?
            if path.needsCalibration {
                guard let loaded = try calibrationSamples() else { throw PathError.noCalibration(path: spec.name, model: sourceURL.path) }
                samples = loaded
            }
            let optimizer = ModelOptimizer(path: path, options: options, calibrationSamples: samples, judge: judge)
            let optimized = try optimizer.optimize(model)
            model = optimized.model
            findings += optimized.findings
            sensitivity = optimized.sensitivity ?? sensitivity
            if builtins != [.fp32] { atSource = false }
            builtins = []
        }

        for (index, step) in spec.steps.enumerated() {
            switch step {
            case .builtin(let builtin):
                builtins.append(builtin)
            case .external(let external):
                try flushBuiltins()
                model = try run(external, on: model, useSource: atSource, index: index)
                atSource = false
            }
        }
        try flushBuiltins()
        return (model, findings, sensitivity)
    }

    private func run(_ external: ExternalPath, on model: Model, useSource: Bool, index: Int) throws -> Model {
        try FileManager.default.createDirectory(at: workFolder, withIntermediateDirectories: true)
        let input: URL
        if useSource {
            input = sourceURL
        } else {
            input = workFolder.appendingPathComponent("step\(index)-input.onnx")
            try ONNXModelFile.save(model, to: input)
        }
        let output = workFolder.appendingPathComponent("step\(index)-\(external.name).\(external.format.fileExtension)")
        try? FileManager.default.removeItem(at: output)
        let command = external.shellCommand(input: input, output: output)
        let log = workFolder.appendingPathComponent("step\(index)-\(external.name).log")
        let outcome = try ShellCommand(command, log: log, deadline: deadline).run()
        if outcome.timedOut {
            throw PathError.timedOut(path: external.name, command: command, seconds: outcome.seconds)
        }
        guard outcome.succeeded else {
            throw PathError.commandFailed(path: external.name, command: command, status: outcome.status, output: outcome.tail)
        }
        guard FileManager.default.fileExists(atPath: output.path) else {
            throw PathError.noOutput(path: external.name, command: command, output: output.path)
        }
        return try ModelLoader.load(output)
    }
}

/// Why a path could not produce its model.
public enum PathError: Error, CustomStringConvertible {
    case noCalibration(path: String, model: String)
    case commandFailed(path: String, command: String, status: Int32, output: String)
    case noOutput(path: String, command: String, output: String)
    case timedOut(path: String, command: String, seconds: Double)

    public var description: String {
        switch self {
        case let .noCalibration(path, model):
            "path '\(path)' needs calibration data: put calibration.h5 (or golden.h5) beside \(model)"
        case let .commandFailed(path, command, status, output):
            "external path '\(path)' failed with status \(status): \(command)" + (output.isEmpty ? "" : " — \(output)")
        case let .noOutput(path, command, output):
            "external path '\(path)' exited 0 but wrote no \(output): \(command)"
        case let .timedOut(path, command, seconds):
            "external path '\(path)' was stopped after \(Int(seconds.rounded())) s, the cell's time limit (--timeout): \(command)"
        }
    }
}
