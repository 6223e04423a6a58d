import Foundation
import ModelIR
import ONNXProto
import SwiftProtobuf

/// Reads and writes single-tensor ONNX `TensorProto` files (`input_0.pb`, `output_0.pb`).
public enum TensorProtoFile {
    public static func load(_ url: URL, limits: ModelLimits = .default) throws(ModelFormatError) -> Tensor {
        let data = try readFile(url, limits: limits)
        let proto: Onnx_TensorProto
        do { proto = try Onnx_TensorProto(serializedBytes: data) } catch {
            throw .malformed(file: url.path, reason: "not a TensorProto (\(describe(error)))")
        }
        let codec = TensorProtoCodec(file: url.path, externalReader: ExternalDataReader(directory: url.deletingLastPathComponent(), file: url.path),
                                     externalWriter: nil, limits: limits)
        return try codec.decode(proto)
    }

    public static func save(_ tensor: Tensor, to url: URL) throws(ModelFormatError) {
        var inline = tensor
        if case .external = inline.encoding { inline.encoding = .rawData }
        let codec = TensorProtoCodec(file: url.path, externalReader: nil, externalWriter: nil, limits: .default)
        try writeAtomically(ONNXModelFile.serialize(codec.encode(inline), file: url.path), to: url)
    }
}
