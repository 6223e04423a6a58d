import Foundation
import ModelIR
import ZIPFoundation

/// Options of the Keras importer.
public struct KerasImportOptions: Sendable {
    /// The ONNX opset of the default domain the model is written for.
    public var opset: Int
    public var limits: ModelLimits

    public init(opset: Int = KerasModelFile.defaultOpset, limits: ModelLimits = .default) {
        self.opset = opset
        self.limits = limits
    }
}

/// Reads Keras models — the legacy HDF5 `.h5` (tf.keras 2 and Keras 3) and the Keras 3 `.keras`
/// zip — and converts them to ONNX without TensorFlow.
///
/// The ONNX model keeps Keras's input and output names, shapes and layouts (channels last), with
/// a symbolic batch dimension; inside, convolutions and pools run channels first with the fewest
/// transposes.
public enum KerasModelFile {
    public static let defaultOpset = 17
    public static let supportedOpsets: ClosedRange<Int> = 13...21

    /// Converts the Keras model at `url` to ONNX.
    ///
    /// - Throws: `ModelFormatError` naming the file: unreadable or damaged files, and layers or
    ///   options the importer does not convert (naming the layer's class and name and the
    ///   supported alternatives).
    public static func load(_ url: URL, options: KerasImportOptions = KerasImportOptions()) throws(ModelFormatError) -> Model {
        do {
            return try convert(url, options: options)
        } catch let error as KerasImportError {
            switch error {
            case let .malformed(file, reason): throw .malformed(file: file, reason: reason)
            default: throw .unsupportedFormat(file: url.path, reason: error.reason)
            }
        } catch let error as ModelFormatError {
            throw error
        } catch {
            throw .unreadable(file: url.path, reason: "\(error)")
        }
    }

    private static func convert(_ url: URL, options: KerasImportOptions) throws -> Model {
        let file = url.path
        guard supportedOpsets.contains(options.opset) else {
            throw ModelFormatError.unsupportedFormat(file: file, reason: "opset \(options.opset) is not supported by the Keras importer; use one of \(supportedOpsets.lowerBound)…\(supportedOpsets.upperBound)")
        }
        let signature = try fileSignature(url)
        if signature.starts(with: [0x50, 0x4B]) {
            return try loadZip(url, options: options)
        }
        if signature.starts(with: [0x89, 0x48, 0x44, 0x46]) || url.pathExtension.lowercased() != "keras" {
            return try loadHDF5(url, options: options)
        }
        throw KerasImportError.malformed(file: file, reason: "a .keras file must be a zip archive, and this one does not start with a zip signature")
    }

    private static func fileSignature(_ url: URL) throws(ModelFormatError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .unreadable(file: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadable(file: url.path, reason: "is a directory, not a file") }
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw .unreadable(file: url.path, reason: "the file cannot be opened")
        }
        defer { try? handle.close() }
        return Array((try? handle.read(upToCount: 8)) ?? Data())
    }

    // MARK: - Legacy HDF5

    private static func loadHDF5(_ url: URL, options: KerasImportOptions) throws -> Model {
        let file = url.path
        let hdf5 = try HDF5File(reading: url, limits: options.limits)
        defer { try? hdf5.close() }
        guard try hdf5.hasAttribute("model_config") else {
            throw KerasImportError.malformed(file: file, reason: "the HDF5 file has no model_config attribute: it holds weights only "
                                             + "(model.save_weights); save the whole model with model.save(\"model.h5\") or as .keras")
        }
        let text = try hdf5.readStringAttribute("model_config")
        let config = try KerasJSON.parse(Data(text.utf8), file: file, what: "the model_config attribute")
        var version = (try? hdf5.readStringAttribute("keras_version")) ?? ""
        if version.isEmpty, try hdf5.contains("model_weights") {
            version = (try? hdf5.readStringAttribute("keras_version", of: "model_weights")) ?? ""
        }
        let store = try KerasLegacyWeightStore(file: hdf5)
        return try makeModel(config, store: store, kerasVersion: version, defaultMajor: 2, file: file, options: options,
                             format: "legacy HDF5")
    }

    // MARK: - Keras 3 zip

    private static func loadZip(_ url: URL, options: KerasImportOptions) throws -> Model {
        let file = url.path
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw KerasImportError.malformed(file: file, reason: "the zip archive cannot be opened (\(error)); the file may be truncated or damaged")
        }
        guard let configEntry = archive["config.json"] else {
            let names = archive.prefix(10).map(\.path).joined(separator: ", ")
            throw KerasImportError.malformed(file: file, reason: "the archive has no config.json (it holds: \(names))")
        }
        let configData = try read(configEntry, from: archive, file: file, limit: 256 << 20)
        let config = try KerasJSON.parse(configData, file: file, what: "config.json")
        var version = ""
        if let metadataEntry = archive["metadata.json"],
           let metadata = try? KerasJSON.parse(try read(metadataEntry, from: archive, file: file, limit: 1 << 20), file: file, what: "metadata.json") {
            version = metadata["keras_version"]?.string ?? ""
        }
        guard let weightsEntry = archive["model.weights.h5"] else {
            throw KerasImportError.malformed(file: file, reason: "the archive has no model.weights.h5")
        }
        guard weightsEntry.uncompressedSize <= UInt64(options.limits.maxTensorBytes) + (64 << 20) else {
            throw KerasImportError.malformed(file: file, reason: "model.weights.h5 is \(weightsEntry.uncompressedSize) bytes, over the size limit")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("modelgate-keras-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let weightsURL = directory.appendingPathComponent("model.weights.h5")
        do { _ = try archive.extract(weightsEntry, to: weightsURL) } catch {
            throw KerasImportError.malformed(file: file, reason: "model.weights.h5 cannot be extracted (\(error)); the archive may be damaged")
        }
        let hdf5: HDF5File
        do { hdf5 = try HDF5File(reading: weightsURL, limits: options.limits) } catch {
            throw KerasImportError.malformed(file: file, reason: "model.weights.h5 in the archive: \(error.reasonWithoutFile)")
        }
        defer { try? hdf5.close() }
        return try makeModel(config, store: KerasV3WeightStore(file: hdf5), kerasVersion: version, defaultMajor: 3, file: file,
                             options: options, format: "Keras 3 zip")
    }

    private static func read(_ entry: Entry, from archive: Archive, file: String, limit: Int) throws -> Data {
        guard entry.uncompressedSize <= UInt64(limit) else {
            throw KerasImportError.malformed(file: file, reason: "\(entry.path) is \(entry.uncompressedSize) bytes, over the limit of \(limit)")
        }
        var data = Data()
        do { _ = try archive.extract(entry) { data.append($0) } } catch {
            throw KerasImportError.malformed(file: file, reason: "\(entry.path) cannot be extracted (\(error)); the archive may be damaged")
        }
        return data
    }

    // MARK: - Conversion

    private static func makeModel(_ config: KerasJSON, store: any KerasWeightStore, kerasVersion: String, defaultMajor: Int,
                                  file: String, options: KerasImportOptions, format: String) throws -> Model {
        let major = kerasVersion.split(separator: ".").first.flatMap { Int($0) } ?? defaultMajor
        let converter = KerasConverter(file: file, store: store, kerasMajorVersion: major, opset: options.opset)
        let name = config["config"]?["name"]?.string ?? "keras_model"
        let graph = try converter.convert(config, graphName: name)
        var metadata = [MetadataEntry("source_format", format)]
        if !kerasVersion.isEmpty { metadata.append(MetadataEntry("keras_version", kerasVersion)) }
        return Model(irVersion: 8, opsetImports: [OpsetImport(domain: "", version: Int64(options.opset))],
                     producerName: "modelgate", producerVersion: "keras-importer", graph: graph, metadata: metadata)
    }
}

extension KerasImportError {
    /// The description without the leading file name.
    var reason: String {
        let text = description
        switch self {
        case let .malformed(file, _), let .unsupportedLayer(file, _, _, _), let .unsupportedOption(file, _, _, _, _),
             let .unsupportedOperation(file, _, _, _, _),
             let .invalidLayer(file, _, _, _), let .invalidGraph(file, _):
            let prefix = "\(file): "
            return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
        }
    }
}

extension ModelFormatError {
    /// The description without the leading file name (for a file inside another one).
    var reasonWithoutFile: String {
        switch self {
        case let .unreadable(_, reason), let .malformed(_, reason), let .unsupportedFormat(_, reason), let .writeFailed(_, reason):
            return reason
        case let .invalidTensor(_, tensor, reason), let .externalData(_, tensor, reason):
            return "tensor '\(tensor)': \(reason)"
        }
    }
}
