import Executor
import Foundation
import ModelFormats
import ModelIR

/// Values in an HDF5 file laid out as golden files are: each model input in a dataset
/// `inputs/<name>`, each output written to `outputs/<name>`.
///
/// A model with one input takes the file's single input dataset whatever its name. A dataset's
/// shape must be the one the model declares for the input (a symbolic dimension accepts any
/// size), except that the first axis may hold any number of samples when the model fixes it: such
/// samples are run in batches of the model's size (`SampleBatches.runSplittingFixedBatches(_:)`).
/// Datasets are matched to inputs and converted to their element types by `InputFeeds`.
public struct HDF5ValueFiles: ValueFileFormat {
    public init() {}

    public var name: String { "HDF5" }

    public func handles(_ url: URL) -> Bool {
        ["h5", "hdf5", "hdf"].contains(url.pathExtension.lowercased())
    }

    public func readInputs(_ url: URL, for graph: Graph) throws -> [String: RuntimeValue] {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ValueFileError(file: url.path, reason: "no such file")
        }
        let file = try HDF5File(reading: url)
        guard try file.contains("inputs") else {
            throw ValueFileError(file: url.path, reason: "has no inputs/ group; store each model input as a dataset inputs/<name>")
        }
        let datasets = try file.readDatasets(under: "inputs")
        let available = datasets.keys.sorted().map { "inputs/\($0)" }
        let feeds = graph.feedInputs
        var values: [String: RuntimeValue] = [:]
        let matched: [String: Tensor]
        do {
            matched = try InputFeeds.match(feeds, datasets: datasets)
        } catch {
            switch error {
            case let .missing(input, _):
                throw ValueFileError(file: url.path, reason: "has no dataset inputs/\(input) for model input '\(input)' (it has \(available.isEmpty ? "no datasets under inputs/" : available.joined(separator: ", ")))")
            case let .unusable(input, reason):
                throw ValueFileError(file: url.path, reason: "dataset for model input '\(input)' cannot feed it: \(reason)")
            }
        }
        for input in feeds {
            guard let tensor = matched[input.name] else { continue }
            if let problem = mismatch(tensor, input.type?.type) {
                throw ValueFileError(file: url.path, reason: "model input '\(input.name)' expects \(problem)")
            }
            values[input.name] = .tensor(tensor)
        }
        return values
    }

    /// How `tensor` differs from the declared `type`, or nil when it fits.
    private func mismatch(_ tensor: Tensor, _ type: ValueType?) -> String? {
        guard case let .tensor(elementType, shape)? = type else { return nil }
        let found = "\(tensor.dataType)[\(tensor.shape.map(String.init).joined(separator: ", "))]"
        if elementType != .undefined && elementType != tensor.dataType {
            return "\(elementType) elements but the dataset holds \(found), whose values do not all convert to \(elementType) exactly; store them as \(elementType)"
        }
        guard let shape else { return nil }
        let fits = shape.rank == tensor.rank && zip(shape.dimensions, tensor.shape).enumerated().allSatisfy { axis, pair in
            axis == 0 && tensor.shape[0] > 0 || (pair.0.dimension.value.map { $0 == pair.1 } ?? true)
        }
        return fits ? nil : "shape \(shape) but the dataset holds \(found)"
    }

    public func filesReplaced(writingOutputs count: Int, to url: URL) -> [URL] {
        FileManager.default.fileExists(atPath: url.path) ? [url] : []
    }

    public func writeOutputs(_ outputs: [NamedValue], to url: URL, graph: Graph, overwrite: Bool) throws {
        var datasets: [String: Tensor] = [:]
        for output in outputs {
            guard let tensor = output.value.tensor else {
                throw ValueFileError(file: url.path, reason: "output '\(output.name)' is \(output.value.summary); an HDF5 file holds tensors only, write a .pb folder instead")
            }
            datasets["outputs/\(output.name)"] = tensor
        }
        try HDF5TensorFile.write(datasets, attributes: [HDF5TensorFile.provenanceAttribute: Self.provenance],
                                 to: url, overwrite: overwrite)
    }

    /// The `provenance` attribute of output files: computed by ModelGate's reference executor.
    public static let provenance = "modelgate-reference"
}
