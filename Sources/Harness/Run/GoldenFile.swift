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

    /// The file as messages name it.
    public var displayName: String { url.path }
}

/// Why a golden file cannot judge a cell.
public enum GoldenFileError: Error, CustomStringConvertible, Equatable {
    case missingGroup(file: String, group: String)

    public var description: String {
        switch self {
        case let .missingGroup(file, group):
            "\(file) has no datasets under \(group)/; a golden file holds inputs/<name>, outputs/<name> and optional labels"
        }
    }
}
