import Executor
import Foundation
import ModelFormats
import ModelIR

/// Records golden outputs from the reference executor: what `golden --record` writes.
public enum GoldenRecorder {
    /// The provenance of golden outputs ModelGate computed itself.
    public static let provenance = "modelgate-reference"

    /// Runs `model` on the `inputs/` of `inputsFile` and writes `inputs/<name>`, `outputs/<name>`,
    /// the `labels` of `inputsFile` if it has them, and `provenance` to `output`.
    ///
    /// - Parameter overwrite: replace an existing `output`; without it an existing file is an error.
    /// - Returns: the outputs written, in model order.
    /// - Throws: `GoldenRecorderError.exists`, `ModelFormatError`, `SampleError` or `ExecutionError`.
    @discardableResult
    public static func record(model: Model, modelName: String, inputsFile: URL, output: URL, overwrite: Bool,
                              batchSize: Int = 64) throws -> [(name: String, tensor: Tensor)] {
        if !overwrite, FileManager.default.fileExists(atPath: output.path) {
            throw GoldenRecorderError.exists(file: output.path)
        }
        var inputs: [String: Tensor] = [:]
        var labels: Tensor?
        for (path, tensor) in try HDF5TensorFile.read(inputsFile) {
            if path.hasPrefix("inputs/") { inputs[String(path.dropFirst("inputs/".count))] = tensor }
            if path == "labels" { labels = tensor }
        }
        guard !inputs.isEmpty else { throw GoldenFileError.missingGroup(file: inputsFile.path, group: "inputs") }
        return try record(model: model, modelName: modelName, inputs: inputs, inputsFile: inputsFile.path, labels: labels,
                          output: output, overwrite: overwrite, batchSize: batchSize)
    }

    /// Runs `model` on `inputs` (the first axis the samples) and writes them, its outputs, `labels`
    /// and `provenance` to `output`; `inputsFile` names where the inputs came from in errors.
    @discardableResult
    public static func record(model: Model, modelName: String, inputs: [String: Tensor], inputsFile: String, labels: Tensor? = nil,
                              output: URL, overwrite: Bool, batchSize: Int = 64) throws -> [(name: String, tensor: Tensor)] {
        let evaluator = try Evaluator(model: model)
        let feeds = try SampleBatches.feeds(for: evaluator.requiredInputs, from: inputs, file: inputsFile)
        let outputs = try SampleBatches(evaluator: evaluator, batchSize: batchSize).run(feeds)
        try write(inputs: feeds, outputs: outputs, labels: labels, provenance: provenance, modelName: modelName,
                  to: output, overwrite: overwrite)
        return outputs
    }

    /// Writes a golden file: `inputs/<name>`, `outputs/<name>`, optional `labels`, and the root
    /// attributes `provenance` and `model`.
    public static func write(inputs: [String: Tensor], outputs: [(name: String, tensor: Tensor)], labels: Tensor?,
                             provenance: String, modelName: String, to output: URL, overwrite: Bool) throws {
        if !overwrite, FileManager.default.fileExists(atPath: output.path) {
            throw GoldenRecorderError.exists(file: output.path)
        }
        var datasets: [String: Tensor] = [:]
        for (name, tensor) in inputs { datasets["inputs/\(name)"] = tensor }
        for (name, tensor) in outputs { datasets["outputs/\(name)"] = tensor }
        if let labels { datasets["labels"] = labels }
        try HDF5TensorFile.write(datasets, attributes: [HDF5TensorFile.provenanceAttribute: provenance, "model": modelName],
                                 to: output, overwrite: overwrite)
    }
}

/// Why golden outputs were not recorded.
public enum GoldenRecorderError: Error, CustomStringConvertible, Equatable {
    case exists(file: String)

    public var description: String {
        switch self {
        case .exists(let file):
            "\(file) already exists; golden files are never overwritten by accident: pass --record to replace it"
        }
    }
}
