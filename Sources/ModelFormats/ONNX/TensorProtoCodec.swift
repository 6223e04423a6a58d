import Foundation
import ModelIR
import ONNXProto
import SwiftProtobuf

/// Converts between ONNX `TensorProto` messages and IR tensors, keeping the storage form
/// (raw_data, typed fields or external file) so that a tensor is written back as it was read.
struct TensorProtoCodec {
    /// The file being read or written, for messages.
    var file: String
    /// Resolves external data on read; nil when the tensor came from bytes with no folder.
    var externalReader: ExternalDataReader?
    /// Receives external data on write; nil writes such tensors inline as raw_data.
    var externalWriter: ExternalDataWriter?
    var limits: ModelLimits

    // MARK: Decoding

    func decode(_ proto: Onnx_TensorProto) throws(ModelFormatError) -> Tensor {
        let name = proto.name
        guard let dataType = DataType(rawValue: proto.dataType), dataType != .undefined else {
            throw .invalidTensor(file: file, tensor: name, reason: "unknown or undefined data type \(proto.dataType)")
        }
        let shape = try checkedShape(proto.dims, tensor: name)
        let count = shape.reduce(1, *)
        var tensor: Tensor
        var encoding: TensorEncoding = .typedFields
        do {
            if dataType == .string {
                guard proto.stringData.count == count else {
                    throw ModelFormatError.invalidTensor(file: file, tensor: name, reason: "has \(proto.stringData.count) strings for shape \(shape)")
                }
                tensor = try Tensor(name: name, shape: shape, strings: proto.stringData.map { [UInt8]($0) })
            } else if proto.hasDataLocation && proto.dataLocation == .external {
                guard let reader = externalReader else {
                    throw ModelFormatError.externalData(file: file, tensor: name, reason: "data is in an external file but the model was not read from a folder")
                }
                let reference = try ExternalDataReference(entries: proto.externalData.map { MetadataEntry($0.key, $0.value) }, file: file, tensor: name)
                let expected = dataType.byteCount(elements: count)
                try limits.check(bytes: expected, tensor: name, file: file)
                let buffer = try reader.read(reference, expectedBytes: expected, tensor: name)
                tensor = try Tensor(name: name, dataType: dataType, shape: shape, buffer: buffer)
                encoding = .external(reference)
            } else if proto.hasRawData {
                let expected = dataType.byteCount(elements: count)
                guard proto.rawData.count == expected else {
                    throw ModelFormatError.invalidTensor(file: file, tensor: name,
                        reason: "raw_data has \(proto.rawData.count) bytes but \(dataType) \(shape) needs \(expected)")
                }
                let buffer = proto.rawData.withUnsafeBytes { TensorBuffer(copying: $0) }
                tensor = try Tensor(name: name, dataType: dataType, shape: shape, buffer: buffer)
                encoding = .rawData
            } else {
                try limits.check(bytes: dataType.byteCount(elements: count), tensor: name, file: file)
                tensor = try Tensor(name: name, dataType: dataType, shape: shape, buffer: decodeTypedFields(proto, dataType, count))
            }
        } catch let error as ModelFormatError {
            throw error
        } catch {
            throw .invalidTensor(file: file, tensor: name, reason: "\(error)")
        }
        tensor.encoding = encoding
        tensor.docString = proto.docString
        tensor.metadata = proto.metadataProps.map { MetadataEntry($0.key, $0.value) }
        tensor.preservedFields = try preservedFields(of: proto)
        return tensor
    }

    private func checkedShape(_ dims: [Int64], tensor: String) throws(ModelFormatError) -> [Int] {
        guard dims.count <= limits.maxRank else {
            throw .invalidTensor(file: file, tensor: tensor, reason: "rank \(dims.count) exceeds the limit of \(limits.maxRank)")
        }
        guard dims.allSatisfy({ $0 >= 0 }) else {
            throw .invalidTensor(file: file, tensor: tensor, reason: "negative dimension in shape \(dims)")
        }
        let shape = dims.map { Int($0) }
        guard (try? Tensor.elementCount(of: shape)) != nil else {
            throw .invalidTensor(file: file, tensor: tensor, reason: "shape \(dims) has more elements than fit in 64 bits")
        }
        return shape
    }

    private func decodeTypedFields(_ proto: Onnx_TensorProto, _ dataType: DataType, _ count: Int) throws(ModelFormatError) -> TensorBuffer {
        let name = proto.name
        func require(_ actual: Int, _ expected: Int, _ field: String) throws(ModelFormatError) {
            guard actual == expected else {
                throw .invalidTensor(file: file, tensor: name, reason: "\(field) has \(actual) values but the shape needs \(expected)")
            }
        }
        func copy<T>(_ values: [T]) -> TensorBuffer {
            values.withUnsafeBytes { TensorBuffer(copying: $0) }
        }
        func narrowed<T: FixedWidthInteger>(_: T.Type) -> TensorBuffer {
            copy(proto.int32Data.map { T(truncatingIfNeeded: $0) })
        }
        switch dataType {
        case .float:
            try require(proto.floatData.count, count, "float_data")
            return copy(proto.floatData)
        case .complex64:
            try require(proto.floatData.count, 2 * count, "float_data")
            return copy(proto.floatData)
        case .double:
            try require(proto.doubleData.count, count, "double_data")
            return copy(proto.doubleData)
        case .complex128:
            try require(proto.doubleData.count, 2 * count, "double_data")
            return copy(proto.doubleData)
        case .int64:
            try require(proto.int64Data.count, count, "int64_data")
            return copy(proto.int64Data)
        case .uint32:
            try require(proto.uint64Data.count, count, "uint64_data")
            return copy(proto.uint64Data.map { UInt32(truncatingIfNeeded: $0) })
        case .uint64:
            try require(proto.uint64Data.count, count, "uint64_data")
            return copy(proto.uint64Data)
        case .int32:
            try require(proto.int32Data.count, count, "int32_data")
            return copy(proto.int32Data)
        case .int16:
            try require(proto.int32Data.count, count, "int32_data")
            return narrowed(Int16.self)
        case .uint16, .float16, .bfloat16:
            try require(proto.int32Data.count, count, "int32_data")
            return narrowed(UInt16.self)
        case .int8:
            try require(proto.int32Data.count, count, "int32_data")
            return narrowed(Int8.self)
        case .uint8, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0:
            try require(proto.int32Data.count, count, "int32_data")
            return narrowed(UInt8.self)
        case .bool:
            try require(proto.int32Data.count, count, "int32_data")
            return copy(proto.int32Data.map { UInt8($0 != 0 ? 1 : 0) })
        case .int4, .uint4, .float4e2m1, .int2, .uint2:
            try require(proto.int32Data.count, dataType.byteCount(elements: count), "int32_data (packed bytes)")
            return narrowed(UInt8.self)
        case .float6e2m3, .float6e3m2:
            try require(proto.int32Data.count, count, "int32_data")
            let buffer = TensorBuffer(byteCount: dataType.byteCount(elements: count))
            for (index, value) in proto.int32Data.enumerated() {
                PackedBits.setElement(buffer.mutableBytes, at: index, width: 6, to: UInt8(truncatingIfNeeded: value))
            }
            return buffer
        case .string, .undefined:
            throw .invalidTensor(file: file, tensor: name, reason: "\(dataType) has no typed numeric field")
        }
    }

    /// The serialized fields of `proto` that `Tensor` does not model.
    private func preservedFields(of proto: Onnx_TensorProto) throws(ModelFormatError) -> [UInt8] {
        guard proto.hasSegment || !proto.unknownFields.data.isEmpty else { return [] }
        var rest = Onnx_TensorProto()
        if proto.hasSegment { rest.segment = proto.segment }
        rest.unknownFields = proto.unknownFields
        do { return try rest.serializedBytes() } catch {
            throw .malformed(file: file, reason: "tensor '\(proto.name)': \(error)")
        }
    }

    // MARK: Encoding

    func encode(_ tensor: Tensor) throws(ModelFormatError) -> Onnx_TensorProto {
        var proto = Onnx_TensorProto()
        proto.dims = tensor.shape.map { Int64($0) }
        proto.dataType = tensor.dataType.rawValue
        if !tensor.name.isEmpty { proto.name = tensor.name }
        if !tensor.docString.isEmpty { proto.docString = tensor.docString }
        proto.metadataProps = tensor.metadata.map(stringEntry)
        if let strings = tensor.strings {
            proto.stringData = strings.map { Data($0) }
        } else {
            switch tensor.encoding {
            case .rawData:
                proto.rawData = tensor.withUnsafeBytes { Data($0) }
            case .typedFields:
                encodeTypedFields(tensor, into: &proto)
            case .external(let reference):
                if let writer = externalWriter {
                    let written = try tensor.withUnsafeBytes { bytes throws(ModelFormatError) in
                        try writer.write(bytes, tensor: tensor.name)
                    }
                    var updated = reference
                    updated.location = writer.location
                    updated.offset = written.offset
                    updated.length = written.length
                    updated.checksum = nil
                    proto.externalData = updated.entries.map(stringEntry)
                    proto.dataLocation = .external
                } else {
                    proto.rawData = tensor.withUnsafeBytes { Data($0) }
                }
            }
        }
        if !tensor.preservedFields.isEmpty {
            do { try proto.merge(serializedBytes: tensor.preservedFields) } catch {
                throw .writeFailed(file: file, reason: "tensor '\(tensor.name)': \(error)")
            }
        }
        return proto
    }

    private func encodeTypedFields(_ tensor: Tensor, into proto: inout Onnx_TensorProto) {
        func values<T>(_: T.Type) -> [T] {
            tensor.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
        }
        switch tensor.dataType {
        case .float, .complex64: proto.floatData = values(Float.self)
        case .double, .complex128: proto.doubleData = values(Double.self)
        case .int64: proto.int64Data = values(Int64.self)
        case .uint32: proto.uint64Data = values(UInt32.self).map { UInt64($0) }
        case .uint64: proto.uint64Data = values(UInt64.self)
        case .int32: proto.int32Data = values(Int32.self)
        case .int16: proto.int32Data = values(Int16.self).map { Int32($0) }
        case .uint16, .float16, .bfloat16: proto.int32Data = values(UInt16.self).map { Int32($0) }
        case .int8: proto.int32Data = values(Int8.self).map { Int32($0) }
        case .uint8, .bool, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0,
             .int4, .uint4, .float4e2m1, .int2, .uint2:
            proto.int32Data = values(UInt8.self).map { Int32($0) }
        case .float6e2m3, .float6e3m2:
            proto.int32Data = tensor.withUnsafeBytes { raw in
                (0..<tensor.elementCount).map { Int32(PackedBits.element(raw, at: $0, width: 6)) }
            }
        case .string, .undefined: break
        }
    }
}

func stringEntry(_ entry: MetadataEntry) -> Onnx_StringStringEntryProto {
    var proto = Onnx_StringStringEntryProto()
    proto.key = entry.key
    proto.value = entry.value
    return proto
}
