import Foundation
import ModelFormats
import ModelIR

/// A model's `golden.h5`: `inputs/<name>`, `outputs/<name>` and the optional `labels`.
public struct GoldenFile: Sendable {
    public var url: URL
    public var inputs: [String: Tensor]
    public var outputs: [String: Tensor]
    public var labels: Tensor?

    /// Reads the whole file.
    ///
    /// - Throws: `ModelFormatError` for an unreadable file, `GoldenFileError` for one without inputs or outputs.
    public init(url: URL) throws {
        self.url = url
        var inputs: [String: Tensor] = [:], outputs: [String: Tensor] = [:]
        var labels: Tensor?
        for (path, tensor) in try HDF5TensorFile.read(url) {
            if path.hasPrefix("inputs/") {
                inputs[String(path.dropFirst("inputs/".count))] = tensor
            } else if path.hasPrefix("outputs/") {
                outputs[String(path.dropFirst("outputs/".count))] = tensor
            } else if path == "labels" {
                labels = tensor
            }
        }
        guard !inputs.isEmpty else { throw GoldenFileError.missingGroup(file: url.path, group: "inputs") }
        guard !outputs.isEmpty else { throw GoldenFileError.missingGroup(file: url.path, group: "outputs") }
        self.inputs = inputs
        self.outputs = outputs
        self.labels = labels
    }

    /// Golden samples held in memory (`url` names where they came from).
    public init(url: URL, inputs: [String: Tensor], outputs: [String: Tensor], labels: Tensor?) {
        self.url = url
        self.inputs = inputs
        self.outputs = outputs
        self.labels = labels
    }

    /// The file as messages name it.
    public var displayName: String { url.path }
}

/// Why a golden file cannot judge a cell.
public enum GoldenFileError: Error, CustomStringConvertible, Equatable {
    case missingGroup(file: String, group: String)
    /// Neither `golden.h5` nor ONNX Model Zoo test data sets beside the model.
    case missing(file: String, model: String)

    public var description: String {
        switch self {
        case let .missing(file, model):
            "\(file): cannot read: no such file, and no test_data_set_N folders beside the model; record golden outputs with "
                + "`modelgate add \(model) --corpus <corpus> --record` (synthetic inputs) or "
                + "`modelgate golden \(model) --inputs <inputs.h5> --record` (your inputs)"
        case let .missingGroup(file, group):
            "\(file) has no datasets under \(group)/; a golden file holds inputs/<name>, outputs/<name> and optional labels"
        }
    }
}
