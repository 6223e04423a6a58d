import Foundation
import ModelIR
import ONNXProto
import SwiftProtobuf

/// Builds the IR from ONNX protobuf messages.
struct ONNXDecoder {
    let tensors: TensorProtoCodec
    var file: String { tensors.file }

    func model(_ proto: Onnx_ModelProto) throws(ModelFormatError) -> Model {
        Model(irVersion: proto.irVersion,
              opsetImports: proto.opsetImport.map(opset),
              producerName: proto.producerName,
              producerVersion: proto.producerVersion,
              domain: proto.domain,
              modelVersion: proto.modelVersion,
              docString: proto.docString,
              graph: try graph(proto.graph),
              metadata: proto.metadataProps.map(entry),
              functions: try proto.functions.map(function),
              preservedFields: try preserved(of: proto))
    }

    func graph(_ proto: Onnx_GraphProto) throws(ModelFormatError) -> Graph {
        Graph(name: proto.name,
              nodes: try proto.node.map(node),
              initializers: try proto.initializer.map(tensors.decode),
              sparseInitializers: try proto.sparseInitializer.map(sparseTensor),
              inputs: try proto.input.map(valueInfo),
              outputs: try proto.output.map(valueInfo),
              valueInfo: try proto.valueInfo.map(valueInfo),
              docString: proto.docString,
              quantizationAnnotations: proto.quantizationAnnotation.map {
                  TensorAnnotation(tensorName: $0.tensorName, quantizationParameterTensorNames: $0.quantParameterTensorNames.map(entry))
              },
              metadata: proto.metadataProps.map(entry))
    }

    func node(_ proto: Onnx_NodeProto) throws(ModelFormatError) -> Node {
        var rest = Onnx_NodeProto()
        rest.deviceConfigurations = proto.deviceConfigurations
        rest.unknownFields = proto.unknownFields
        let preservedBytes: [UInt8] = rest == Onnx_NodeProto() ? [] : try serialized(rest, what: "node '\(proto.name)'")
        let attributes = try proto.attribute.map(attribute)
        return Node(name: proto.name, opType: proto.opType, domain: proto.domain, overload: proto.overload,
                    inputs: proto.input, outputs: proto.output, attributes: attributes,
                    docString: proto.docString, metadata: proto.metadataProps.map(entry), preservedFields: preservedBytes)
    }

    func attribute(_ proto: Onnx_AttributeProto) throws(ModelFormatError) -> Attribute {
        let kind = proto.hasType ? proto.type : inferredKind(proto)
        let value: AttributeValue
        switch kind {
        case .float: value = .float(proto.f)
        case .int: value = .int(proto.i)
        case .string: value = .string([UInt8](proto.s))
        case .tensor: value = .tensor(try tensors.decode(proto.t))
        case .graph: value = .graph(try graph(proto.g))
        case .sparseTensor: value = .sparseTensor(try sparseTensor(proto.sparseTensor))
        case .typeProto: value = .type(try typeInfo(proto.tp))
        case .floats: value = .floats(proto.floats)
        case .ints: value = .ints(proto.ints)
        case .strings: value = .strings(proto.strings.map { [UInt8]($0) })
        case .tensors: value = .tensors(try proto.tensors.map(tensors.decode))
        case .graphs: value = .graphs(try proto.graphs.map(graph))
        case .sparseTensors: value = .sparseTensors(try proto.sparseTensors.map(sparseTensor))
        case .typeProtos: value = .types(try proto.typeProtos.map(typeInfo))
        case .undefined:
            throw .malformed(file: file, reason: "attribute '\(proto.name)' has no type and no value")
        }
        return Attribute(name: proto.name, value: value,
                         referencedAttribute: proto.hasRefAttrName ? proto.refAttrName : nil,
                         docString: proto.docString)
    }

    /// The attribute type of a file that predates the `type` field: the one value field that is set.
    private func inferredKind(_ proto: Onnx_AttributeProto) -> Onnx_AttributeProto.AttributeType {
        if proto.hasF { return .float }
        if proto.hasI { return .int }
        if proto.hasS { return .string }
        if proto.hasT { return .tensor }
        if proto.hasG { return .graph }
        if proto.hasSparseTensor { return .sparseTensor }
        if proto.hasTp { return .typeProto }
        if !proto.floats.isEmpty { return .floats }
        if !proto.ints.isEmpty { return .ints }
        if !proto.strings.isEmpty { return .strings }
        if !proto.tensors.isEmpty { return .tensors }
        if !proto.graphs.isEmpty { return .graphs }
        if !proto.sparseTensors.isEmpty { return .sparseTensors }
        if !proto.typeProtos.isEmpty { return .typeProtos }
        return .undefined
    }

    func sparseTensor(_ proto: Onnx_SparseTensorProto) throws(ModelFormatError) -> SparseTensor {
        guard proto.dims.allSatisfy({ $0 >= 0 }) else {
            throw .invalidTensor(file: file, tensor: proto.values.name, reason: "sparse tensor has a negative dimension in \(proto.dims)")
        }
        return SparseTensor(values: try tensors.decode(proto.values), indices: try tensors.decode(proto.indices),
                            shape: proto.dims.map { Int($0) })
    }

    func valueInfo(_ proto: Onnx_ValueInfoProto) throws(ModelFormatError) -> ValueInfo {
        ValueInfo(name: proto.name, type: proto.hasType ? try typeInfo(proto.type) : nil,
                  docString: proto.docString, metadata: proto.metadataProps.map(entry))
    }

    func typeInfo(_ proto: Onnx_TypeProto) throws(ModelFormatError) -> TypeInfo {
        TypeInfo(try valueType(proto), denotation: proto.hasDenotation ? proto.denotation : nil)
    }

    private func valueType(_ proto: Onnx_TypeProto) throws(ModelFormatError) -> ValueType {
        switch proto.value {
        case .tensorType(let tensor):
            return .tensor(elementType: try elementType(tensor.elemType), shape: tensor.hasShape ? shape(tensor.shape) : nil)
        case .sparseTensorType(let tensor):
            return .sparseTensor(elementType: try elementType(tensor.elemType), shape: tensor.hasShape ? shape(tensor.shape) : nil)
        case .sequenceType(let sequence):
            return .sequence(sequence.hasElemType ? try valueType(sequence.elemType) : nil)
        case .mapType(let map):
            return .map(keyType: try elementType(map.keyType), valueType: map.hasValueType ? try valueType(map.valueType) : nil)
        case .optionalType(let optional):
            return .optional(optional.hasElemType ? try valueType(optional.elemType) : nil)
        case .opaqueType(let opaque):
            return .opaque(domain: opaque.domain, name: opaque.name)
        case nil:
            return .unspecified
        }
    }

    private func elementType(_ raw: Int32) throws(ModelFormatError) -> DataType {
        guard let type = DataType(rawValue: raw) else {
            throw .malformed(file: file, reason: "unknown element type \(raw)")
        }
        return type
    }

    private func shape(_ proto: Onnx_TensorShapeProto) -> TensorShape {
        TensorShape(proto.dim.map { dim in
            let dimension: ModelIR.Dimension = switch dim.value {
            case .dimValue(let size): .fixed(Int(size))
            case .dimParam(let name): .symbolic(name)
            case nil: .unknown
            }
            return ShapeDimension(dimension, denotation: dim.hasDenotation ? dim.denotation : nil)
        })
    }

    func function(_ proto: Onnx_FunctionProto) throws(ModelFormatError) -> Function {
        Function(name: proto.name, domain: proto.domain, overload: proto.overload,
                 inputs: proto.input, outputs: proto.output,
                 attributeNames: proto.attribute, attributeDefaults: try proto.attributeProto.map(attribute),
                 nodes: try proto.node.map(node), docString: proto.docString,
                 opsetImports: proto.opsetImport.map(opset), valueInfo: try proto.valueInfo.map(valueInfo),
                 metadata: proto.metadataProps.map(entry))
    }

    private func opset(_ proto: Onnx_OperatorSetIdProto) -> OpsetImport {
        OpsetImport(domain: proto.domain, version: proto.version)
    }

    private func entry(_ proto: Onnx_StringStringEntryProto) -> MetadataEntry {
        MetadataEntry(proto.key, proto.value)
    }

    private func preserved(of proto: Onnx_ModelProto) throws(ModelFormatError) -> [UInt8] {
        var rest = Onnx_ModelProto()
        rest.trainingInfo = proto.trainingInfo
        rest.configuration = proto.configuration
        rest.unknownFields = proto.unknownFields
        return rest == Onnx_ModelProto() ? [] : try serialized(rest, what: "model")
    }

    private func serialized(_ message: some SwiftProtobuf.Message, what: String) throws(ModelFormatError) -> [UInt8] {
        do { return try message.serializedBytes() } catch {
            throw .malformed(file: file, reason: "\(what): \(error)")
        }
    }
}
