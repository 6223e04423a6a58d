import Executor
import Foundation
import ModelFormats
import ModelIR

/// Adds a model file to a corpus, what `modelgate add` does: copies (or links) it to
/// `<corpus>/<name>/model.<ext>`, writes `golden.h5` and `calibration.h5` beside it, and appends its
/// entry to `corpus.yml` (written from the template when missing) without touching the rest of the
/// file. A model that comes with ONNX Model Zoo test data (`test_data_set_<N>/` beside it) keeps
/// those folders as its golden source. Nothing that exists is replaced unless `record` is set.
public struct ModelAdder {
    /// Where golden outputs come from.
    public enum GoldenSource: Sendable, Equatable {
        /// The reference executor (provenance `modelgate-reference`).
        case reference
        /// A user command with `{model}`, `{inputs}` and `{outputs}` placeholders: it reads
        /// `inputs/<name>` from the inputs HDF5 file and writes `outputs/<name>` to the outputs file.
        case command(String)
    }

    public var model: URL
    public var corpus: URL
    public var name: String?
    /// Inputs to record golden outputs on (HDF5 `inputs/<name>` or ONNX `input_K.pb` folder);
    /// nil for synthetic ones.
    public var inputs: URL?
    public var synthetic: SyntheticInputs
    public var golden: GoldenSource
    /// Labels: an HDF5 file with a `labels` dataset, or a text file of one integer per line.
    public var labels: URL?
    public var calibration: URL?
    /// Link the model file instead of copying it.
    public var link: Bool
    public var record: Bool

    public init(model: URL, corpus: URL, name: String? = nil, inputs: URL? = nil, synthetic: SyntheticInputs = SyntheticInputs(),
                golden: GoldenSource = .reference, labels: URL? = nil, calibration: URL? = nil, link: Bool = false, record: Bool = false) {
        self.model = model
        self.corpus = corpus
        self.name = name
        self.inputs = inputs
        self.synthetic = synthetic
        self.golden = golden
        self.labels = labels
        self.calibration = calibration
        self.link = link
        self.record = record
    }

    /// What `add` did.
    public struct Added: Sendable {
        public var name: String
        public var source: String
        public var folder: URL
        /// The golden inputs' shapes, by input name.
        public var inputShapes: [String: [Int]]
        /// True when the model's ONNX Model Zoo test data serve as its golden samples.
        public var usesTestDataSets: Bool
        public var createdManifest: Bool
    }

    /// The corpus name a model file gets by default: its file name, or its folder's when the file is
    /// called `model`, with characters other than letters, digits, `_`, `-` and `.` made `_`.
    public static func defaultName(for model: URL) -> String {
        var stem = model.deletingPathExtension().lastPathComponent
        if stem == "model" { stem = model.deletingLastPathComponent().lastPathComponent }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        let cleaned = String(stem.map { allowed.contains($0) ? $0 : "_" })
        return cleaned.isEmpty ? "model" : cleaned
    }

    /// Adds the model.
    ///
    /// - Throws: `ModelAdderError` for a refused or failed step, and the loader's, executor's and
    ///   file writers' errors, each naming its file.
    public func add() throws -> Added {
        guard FileManager.default.fileExists(atPath: model.path) else { throw ModelAdderError.noModel(file: model.path) }
        guard ModelFileFormat(url: model) != nil else { throw ModelAdderError.unknownFormat(file: model.path) }
        let name = self.name ?? Self.defaultName(for: model)
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) else {
            throw ModelAdderError.badName(name)
        }
        let loaded = try ModelLoader.load(model)
        let manifestURL = corpus.appendingPathComponent("corpus.yml")
        let createdManifest = !FileManager.default.fileExists(atPath: manifestURL.path)
        let text = createdManifest ? CorpusManifestText.template() : try String(contentsOf: manifestURL, encoding: .utf8)
        let listed = try CorpusManifestText.modelNames(in: text).contains(name)
        if listed, !record { throw ModelAdderError.alreadyAdded(name: name, manifest: manifestURL.path) }

        let folder = corpus.appendingPathComponent(name)
        let target = folder.appendingPathComponent("model." + model.pathExtension.lowercased())
        let goldenURL = folder.appendingPathComponent("golden.h5")
        let calibrationURL = folder.appendingPathComponent("calibration.h5")
        if !record {
            for existing in [target, goldenURL, calibrationURL] where FileManager.default.fileExists(atPath: existing.path) {
                throw ModelAdderError.exists(file: existing.path)
            }
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try place(loaded, at: target)

        let testDataSets = inputs == nil ? GoldenFile.testDataSets(besideModelIn: model.deletingLastPathComponent()) : []
        var shapes: [String: [Int]] = [:]
        if testDataSets.isEmpty {
            let feeds = try goldenInputs(for: loaded)
            shapes = feeds.mapValues(\.shape)
            try recordGolden(loaded, modelFile: target, feeds: feeds, name: name, to: goldenURL)
            try writeCalibration(loaded, goldenFeeds: feeds, to: calibrationURL)
        } else {
            for set in testDataSets {
                let copy = folder.appendingPathComponent(set.lastPathComponent)
                if record { try? FileManager.default.removeItem(at: copy) }
                if set.standardizedFileURL != copy.standardizedFileURL { try FileManager.default.copyItem(at: set, to: copy) }
            }
            let golden = try GoldenFile(testDataSets: GoldenFile.testDataSets(besideModelIn: folder), graph: loaded.graph)
            shapes = golden.inputs.mapValues(\.shape)
            try writeCalibration(loaded, goldenFeeds: golden.inputs, to: calibrationURL)
        }

        let source = "\(name)/\(target.lastPathComponent)"
        if !listed {
            try Self.replace(manifestURL, with: CorpusManifestText.adding(model: name, source: source, to: text))
        }
        return Added(name: name, source: source, folder: folder, inputShapes: shapes, usesTestDataSets: !testDataSets.isEmpty,
                     createdManifest: createdManifest)
    }

    // MARK: - Steps

    /// Copies or links the model file (and an ONNX model's external data files) into the corpus.
    private func place(_ loaded: Model, at target: URL) throws {
        guard model.standardizedFileURL.resolvingSymlinksInPath() != target.standardizedFileURL.resolvingSymlinksInPath() else { return }
        try? FileManager.default.removeItem(at: target)
        if link {
            try FileManager.default.createSymbolicLink(at: target, withDestinationURL: model.standardizedFileURL)
            return
        }
        try FileManager.default.copyItem(at: model, to: target)
        let locations = Set(loaded.graph.initializers.compactMap { tensor -> String? in
            if case let .external(reference) = tensor.encoding { return reference.location }
            return nil
        })
        for location in locations.sorted() {
            let from = model.deletingLastPathComponent().appendingPathComponent(location)
            let to = target.deletingLastPathComponent().appendingPathComponent(location)
            try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: to)
            try FileManager.default.copyItem(at: from, to: to)
        }
    }

    private func goldenInputs(for loaded: Model) throws -> [String: Tensor] {
        guard let inputs else { return try synthetic.make(for: loaded.graph) }
        if inputs.pathExtension.lowercased() == "h5" || inputs.pathExtension.lowercased() == "hdf5" {
            var tensors: [String: Tensor] = [:]
            for (path, tensor) in try HDF5TensorFile.read(inputs) where path.hasPrefix("inputs/") {
                tensors[String(path.dropFirst("inputs/".count))] = tensor
            }
            guard !tensors.isEmpty else { throw GoldenFileError.missingGroup(file: inputs.path, group: "inputs") }
            return tensors
        }
        var tensors: [String: Tensor] = [:]
        for (name, value) in try PBValueFiles().readInputs(inputs, for: loaded.graph) {
            guard let tensor = value.tensor else { throw ValueFileError(file: inputs.path, reason: "input '\(name)' is not a tensor") }
            tensors[name] = tensor
        }
        return tensors
    }

    private func recordGolden(_ loaded: Model, modelFile: URL, feeds: [String: Tensor], name: String, to goldenURL: URL) throws {
        let labels = try self.labels.map(Self.readLabels)
        let sampleCount = feeds.values.first?.shape.first ?? 0
        if let labels, labels.shape.first != sampleCount {
            throw ModelAdderError.labelCount(file: self.labels?.path ?? "", labels: labels.shape.first ?? 0, samples: sampleCount)
        }
        switch golden {
        case .reference:
            try GoldenRecorder.record(model: loaded, modelName: name, inputs: feeds, inputsFile: inputs?.path ?? "synthetic inputs",
                                      labels: labels, output: goldenURL, overwrite: record)
        case .command(let command):
            let work = goldenURL.deletingLastPathComponent()
            let inputsFile = work.appendingPathComponent(".golden-inputs.h5")
            let outputsFile = work.appendingPathComponent(".golden-outputs.h5")
            defer {
                try? FileManager.default.removeItem(at: inputsFile)
                try? FileManager.default.removeItem(at: outputsFile)
            }
            try? FileManager.default.removeItem(at: outputsFile)
            try HDF5TensorFile.write(Dictionary(uniqueKeysWithValues: feeds.map { ("inputs/\($0.key)", $0.value) }), to: inputsFile, overwrite: true)
            let line = command.replacingOccurrences(of: "{model}", with: ExternalPath.shellQuoted(modelFile.path))
                .replacingOccurrences(of: "{inputs}", with: ExternalPath.shellQuoted(inputsFile.path))
                .replacingOccurrences(of: "{outputs}", with: ExternalPath.shellQuoted(outputsFile.path))
            let outcome = try ShellCommand(line, log: work.appendingPathComponent(".golden-command.log")).run()
            guard outcome.succeeded else { throw ModelAdderError.commandFailed(command: line, status: outcome.status, output: outcome.tail) }
            var outputs: [(name: String, tensor: Tensor)] = []
            for (path, tensor) in try HDF5TensorFile.read(outputsFile) where path.hasPrefix("outputs/") {
                outputs.append((String(path.dropFirst("outputs/".count)), tensor))
            }
            let order = loaded.graph.outputs.map(\.name)
            outputs.sort { (order.firstIndex(of: $0.name) ?? .max, $0.name) < (order.firstIndex(of: $1.name) ?? .max, $1.name) }
            guard !outputs.isEmpty else { throw ModelAdderError.commandWroteNoOutputs(command: line, file: outputsFile.path) }
            try GoldenRecorder.write(inputs: feeds, outputs: outputs, labels: labels, provenance: "command: \(command)",
                                     modelName: name, to: goldenURL, overwrite: record)
        }
    }

    /// `--calibration` as given (checked to hold `inputs/`), else synthetic samples with the next
    /// seed (at least 16), else the golden inputs.
    private func writeCalibration(_ loaded: Model, goldenFeeds: [String: Tensor], to url: URL) throws {
        if !record, FileManager.default.fileExists(atPath: url.path) { return }
        if let calibration {
            guard try HDF5TensorFile.read(calibration).keys.contains(where: { $0.hasPrefix("inputs/") }) else {
                throw GoldenFileError.missingGroup(file: calibration.path, group: "inputs")
            }
            try? FileManager.default.removeItem(at: url)
            try FileManager.default.copyItem(at: calibration, to: url)
            return
        }
        var samples = goldenFeeds
        if inputs == nil, (try? synthetic.make(for: loaded.graph)) != nil {
            var more = synthetic
            more.samples = max(16, synthetic.samples)
            more.seed = synthetic.seed &+ 1
            samples = try more.make(for: loaded.graph)
        }
        try HDF5TensorFile.write(Dictionary(uniqueKeysWithValues: samples.map { ("inputs/\($0.key)", $0.value) }), to: url, overwrite: true)
    }

    static func readLabels(_ url: URL) throws -> Tensor {
        if ["h5", "hdf5"].contains(url.pathExtension.lowercased()) {
            guard let labels = try HDF5TensorFile.read(url)["labels"] else { throw GoldenFileError.missingGroup(file: url.path, group: "labels") }
            return labels
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        var values: [Int64] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let value = Int64(trimmed) else { throw ModelAdderError.badLabel(file: url.path, line: number + 1, text: trimmed) }
            values.append(value)
        }
        return try Tensor(name: "labels", shape: [values.count], scalars: values)
    }

    private static func replace(_ url: URL, with text: String) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        try Data(text.utf8).write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw ModelAdderError.cannotWrite(file: url.path, reason: String(cString: strerror(errno)))
        }
    }
}

/// Why `add` refused or failed.
public enum ModelAdderError: Error, CustomStringConvertible, Equatable {
    case noModel(file: String)
    case unknownFormat(file: String)
    case badName(String)
    case alreadyAdded(name: String, manifest: String)
    case exists(file: String)
    case labelCount(file: String, labels: Int, samples: Int)
    case badLabel(file: String, line: Int, text: String)
    case commandFailed(command: String, status: Int32, output: String)
    case commandWroteNoOutputs(command: String, file: String)
    case cannotWrite(file: String, reason: String)

    public var description: String {
        switch self {
        case .noModel(let file): "\(file): no such model file"
        case .unknownFormat(let file): "\(file): not a model file ModelGate reads (.onnx, .h5, .keras, .tflite)"
        case .badName(let name): "'\(name)' cannot name a corpus model: use letters, digits, '_', '-' and '.' (--name)"
        case let .alreadyAdded(name, manifest):
            "model '\(name)' is already in \(manifest); pass --record to record its files again, or --name to add it under another name"
        case .exists(let file): "\(file) already exists; pass --record to replace it"
        case let .labelCount(file, labels, samples): "\(file) holds \(labels) labels for \(samples) samples"
        case let .badLabel(file, line, text): "\(file):\(line): '\(text)' is not an integer label"
        case let .commandFailed(command, status, output):
            "the golden command failed with status \(status): \(command)" + (output.isEmpty ? "" : " — \(output)")
        case let .commandWroteNoOutputs(command, file):
            "the golden command exited 0 but wrote no outputs/<name> datasets to \(file): \(command)"
        case let .cannotWrite(file, reason): "\(file): cannot write: \(reason)"
        }
    }
}
