import Foundation
import ModelIR
import ONNXProto
import SwiftProtobuf

/// Reads and writes `.onnx` files without loss: what `load` returns, `save` writes back with the
/// same nodes, attributes, metadata and tensor bytes (and where they were stored).
public enum ONNXModelFile {
    /// Reads the model at `url`, with external data resolved inside the model's folder.
    ///
    /// - Throws: `ModelFormatError` naming the file and what is wrong with it.
    public static func load(_ url: URL, limits: ModelLimits = .default) throws(ModelFormatError) -> Model {
        let data = try readFile(url, limits: limits)
        return try decode(data, file: url.path, directory: url.deletingLastPathComponent(), limits: limits)
    }

    /// Decodes a serialized `ModelProto`; external data is read from `directory` when given.
    public static func decode(_ data: Data, file: String = "<memory>", directory: URL? = nil,
                              limits: ModelLimits = .default) throws(ModelFormatError) -> Model {
        let proto: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = limits.maxMessageDepth
            proto = try Onnx_ModelProto(serializedBytes: data, options: options)
        } catch {
            throw .malformed(file: file, reason: "the protobuf does not parse as an ONNX ModelProto (\(describe(error)))")
        }
        guard proto.hasGraph else {
            throw .malformed(file: file, reason: "the ModelProto has no graph; is this an ONNX model?")
        }
        let codec = TensorProtoCodec(file: file, externalReader: directory.map { ExternalDataReader(directory: $0, file: file) },
                                     externalWriter: nil, limits: limits)
        return try ONNXDecoder(tensors: codec).model(proto)
    }

    /// Writes `model` to `url` (through a temporary file, so a failed write leaves no partial model).
    /// Tensors read from external files are written to one file beside it, `<file name>.data`
    /// (`ExternalDataWriter`), whatever files they were read from.
    public static func save(_ model: Model, to url: URL) throws(ModelFormatError) {
        let writer = ExternalDataWriter(model: url)
        let codec = TensorProtoCodec(file: url.path, externalReader: nil, externalWriter: writer, limits: .default)
        let data = try serialize(ONNXEncoder(tensors: codec).model(model), file: url.path)
        try writer.finish()
        try writeAtomically(data, to: url)
    }

    /// Serializes `model` with every tensor inline.
    public static func encode(_ model: Model) throws(ModelFormatError) -> Data {
        let codec = TensorProtoCodec(file: "<memory>", externalReader: nil, externalWriter: nil, limits: .default)
        return try serialize(ONNXEncoder(tensors: codec).model(model), file: "<memory>")
    }

    static func serialize(_ message: some SwiftProtobuf.Message, file: String) throws(ModelFormatError) -> Data {
        do { return try message.serializedBytes() } catch {
            throw .writeFailed(file: file, reason: "\(error)")
        }
    }
}

/// Reads a whole file, refusing directories and files larger than the tensor limit allows.
func readFile(_ url: URL, limits: ModelLimits) throws(ModelFormatError) -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        throw .unreadable(file: url.path, reason: "no such file")
    }
    guard !isDirectory.boolValue else {
        throw .unreadable(file: url.path, reason: "is a directory, not a file")
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    guard size <= limits.maxTensorBytes + (64 << 20) else {
        throw .unreadable(file: url.path, reason: "\(size) bytes is over the size limit of \(limits.maxTensorBytes) tensor bytes (raise it with --max-tensor-bytes)")
    }
    do { return try Data(contentsOf: url) } catch {
        throw .unreadable(file: url.path, reason: describe(error))
    }
}

/// Writes `data` to a temporary file beside `url`, then renames it over `url` (`AtomicFile`).
func writeAtomically(_ data: Data, to url: URL) throws(ModelFormatError) {
    do { try AtomicFile.write(data, to: url) } catch {
        throw .writeFailed(file: url.path, reason: error.reason)
    }
}

/// A short human description of a Foundation or protobuf error.
func describe(_ error: any Error) -> String {
    if let decoding = error as? BinaryDecodingError {
        switch decoding {
        case .truncated: return "the data ends in the middle of a field: the file is truncated"
        case .malformedProtobuf: return "malformed protobuf data"
        case .messageDepthLimit: return "messages are nested deeper than the limit"
        case .invalidUTF8: return "a string field is not valid UTF-8"
        default: return "\(decoding)"
        }
    }
    let nsError = error as NSError
    return nsError.localizedDescription
}
