import Foundation
import ModelIR
import ONNXProto
import SwiftProtobuf

/// A value stored in an ONNX test-data `.pb` file: a tensor, or (onnx-data.proto) a sequence,
/// an optional or a map.
public indirect enum DataValue: Sendable {
    case tensor(Tensor)
    case sequence([DataValue])
    /// `nil` is the empty optional.
    case optional(DataValue?)
    case map(keys: Tensor, values: DataValue)
}

/// Reads and writes `.pb` files holding a `TensorProto`, `SequenceProto`, `OptionalProto` or
/// `MapProto`, as onnx's backend test data does (`input_0.pb`, `output_0.pb`). The file does not
/// say which message it holds; the graph's type for the value does.
public enum ONNXDataFile {
    /// Reads the value at `url` as the message `type` calls for (a `TensorProto` when `type` is nil
    /// or a tensor type).
    ///
    /// - Returns: the value and the name stored with it.
    /// - Throws: `ModelFormatError` naming the file.
    public static func load(_ url: URL, as type: ValueType?, limits: ModelLimits = .default) throws(ModelFormatError) -> (name: String, value: DataValue) {
        let data = try readFile(url, limits: limits)
        let codec = TensorProtoCodec(file: url.path, externalReader: ExternalDataReader(directory: url.deletingLastPathComponent(), file: url.path),
                                     externalWriter: nil, limits: limits)
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = limits.maxMessageDepth
        func parse<M: SwiftProtobuf.Message>(_: M.Type, _ what: String) throws(ModelFormatError) -> M {
            do { return try M(serializedBytes: data, options: options) } catch {
                throw .malformed(file: url.path, reason: "not a \(what) (\(describe(error)))")
            }
        }
        switch type {
        case .sequence?:
            let proto = try parse(Onnx_SequenceProto.self, "SequenceProto")
            return (proto.name, try decode(proto, codec: codec))
        case .optional?:
            let proto = try parse(Onnx_OptionalProto.self, "OptionalProto")
            return (proto.name, try decode(proto, codec: codec))
        case .map?:
            let proto = try parse(Onnx_MapProto.self, "MapProto")
            return (proto.name, try decode(proto, codec: codec))
        default:
            let proto = try parse(Onnx_TensorProto.self, "TensorProto")
            return (proto.name, .tensor(try codec.decode(proto)))
        }
    }

    static func decode(_ proto: Onnx_SequenceProto, codec: TensorProtoCodec) throws(ModelFormatError) -> DataValue {
        var elements: [DataValue] = []
        switch proto.elemType {
        case Onnx_SequenceProto.DataType.tensor.rawValue32:
            for tensor in proto.tensorValues { elements.append(.tensor(try codec.decode(tensor))) }
        case Onnx_SequenceProto.DataType.sequence.rawValue32:
            for sequence in proto.sequenceValues { elements.append(try decode(sequence, codec: codec)) }
        case Onnx_SequenceProto.DataType.map.rawValue32:
            for map in proto.mapValues { elements.append(try decode(map, codec: codec)) }
        case Onnx_SequenceProto.DataType.optional.rawValue32:
            for optional in proto.optionalValues { elements.append(try decode(optional, codec: codec)) }
        default:
            // An empty sequence may leave the element type undefined.
            for tensor in proto.tensorValues { elements.append(.tensor(try codec.decode(tensor))) }
        }
        return .sequence(elements)
    }

    static func decode(_ proto: Onnx_OptionalProto, codec: TensorProtoCodec) throws(ModelFormatError) -> DataValue {
        if proto.hasTensorValue { return .optional(.tensor(try codec.decode(proto.tensorValue))) }
        if proto.hasSequenceValue { return .optional(try decode(proto.sequenceValue, codec: codec)) }
        if proto.hasMapValue { return .optional(try decode(proto.mapValue, codec: codec)) }
        if proto.hasOptionalValue { return .optional(try decode(proto.optionalValue, codec: codec)) }
        return .optional(nil)
    }

    static func decode(_ proto: Onnx_MapProto, codec: TensorProtoCodec) throws(ModelFormatError) -> DataValue {
        let keys: Tensor
        do {
            if proto.keyType == DataType.string.rawValue {
                keys = try Tensor(shape: [proto.stringKeys.count], strings: proto.stringKeys.map { [UInt8]($0) })
            } else {
                let type = DataType(rawValue: proto.keyType) ?? .int64
                keys = try Tensor(converting: proto.keys.map { Double($0) }, to: type, shape: [proto.keys.count])
            }
        } catch {
            throw .malformed(file: codec.file, reason: "map keys: \(error)")
        }
        return .map(keys: keys, values: try decode(proto.values, codec: codec))
    }

    /// Writes `value` under `name`: a tensor as a `TensorProto`, other values as their onnx-data.proto message.
    public static func save(_ value: DataValue, name: String, to url: URL) throws(ModelFormatError) {
        let codec = TensorProtoCodec(file: url.path, externalReader: nil, externalWriter: nil, limits: .default)
        let data: Data
        switch value {
        case .tensor(var tensor):
            if case .external = tensor.encoding { tensor.encoding = .rawData }
            tensor.name = name
            data = try ONNXModelFile.serialize(codec.encode(tensor), file: url.path)
        case .sequence:
            var proto = try encodeSequence(value, codec: codec)
            proto.name = name
            data = try ONNXModelFile.serialize(proto, file: url.path)
        case .optional, .map:
            var proto = try encodeOptional(value, codec: codec)
            proto.name = name
            data = try ONNXModelFile.serialize(proto, file: url.path)
        }
        try writeAtomically(data, to: url)
    }

    private static func inline(_ tensor: Tensor) -> Tensor {
        var copy = tensor
        if case .external = copy.encoding { copy.encoding = .rawData }
        return copy
    }

    private static func encodeSequence(_ value: DataValue, codec: TensorProtoCodec) throws(ModelFormatError) -> Onnx_SequenceProto {
        var proto = Onnx_SequenceProto()
        guard case .sequence(let elements) = value else { return proto }
        proto.elemType = Onnx_SequenceProto.DataType.tensor.rawValue32
        for element in elements {
            switch element {
            case .tensor(let tensor): proto.tensorValues.append(try codec.encode(inline(tensor)))
            case .sequence:
                proto.elemType = Onnx_SequenceProto.DataType.sequence.rawValue32
                proto.sequenceValues.append(try encodeSequence(element, codec: codec))
            case .optional, .map:
                proto.elemType = Onnx_SequenceProto.DataType.optional.rawValue32
                proto.optionalValues.append(try encodeOptional(element, codec: codec))
            }
        }
        return proto
    }

    private static func encodeOptional(_ value: DataValue, codec: TensorProtoCodec) throws(ModelFormatError) -> Onnx_OptionalProto {
        var proto = Onnx_OptionalProto()
        guard case .optional(let wrapped) = value, let wrapped else { return proto }
        switch wrapped {
        case .tensor(let tensor):
            proto.elemType = Onnx_OptionalProto.DataType.tensor.rawValue32
            proto.tensorValue = try codec.encode(inline(tensor))
        case .sequence:
            proto.elemType = Onnx_OptionalProto.DataType.sequence.rawValue32
            proto.sequenceValue = try encodeSequence(wrapped, codec: codec)
        case .optional, .map:
            proto.elemType = Onnx_OptionalProto.DataType.optional.rawValue32
            proto.optionalValue = try encodeOptional(wrapped, codec: codec)
        }
        return proto
    }
}

extension Onnx_SequenceProto.DataType {
    var rawValue32: Int32 { Int32(rawValue) }
}

extension Onnx_OptionalProto.DataType {
    var rawValue32: Int32 { Int32(rawValue) }
}
