import Foundation
import ModelIR
import ONNXProto
import SwiftProtobuf

/// Builds ONNX protobuf messages from the IR. Optional string fields are written only when
/// non-empty, so that reading and writing again gives the same bytes.
struct ONNXEncoder {
    let tensors: TensorProtoCodec
    var file: String { tensors.file }

    func model(_ model: Model) throws(ModelFormatError) -> Onnx_ModelProto {
        var proto = Onnx_ModelProto()
        proto.irVersion = model.irVersion
        proto.opsetImport = model.opsetImports.map(opset)
        if !model.producerName.isEmpty { proto.producerName = model.producerName }
        if !model.producerVersion.isEmpty { proto.producerVersion = model.producerVersion }
        if !model.domain.isEmpty { proto.domain = model.domain }
        if model.modelVersion != 0 { proto.modelVersion = model.modelVersion }
        if !model.docString.isEmpty { proto.docString = model.docString }
        proto.graph = try graph(model.graph)
        proto.metadataProps = model.metadata.map(stringEntry)
        proto.functions = try model.functions.map(function)
        try merge(model.preservedFields, into: &proto, what: "model")
        return proto
    }

    func graph(_ graph: Graph) throws(ModelFormatError) -> Onnx_GraphProto {
        var proto = Onnx_GraphProto()
        proto.node = try graph.nodes.map(node)
        if !graph.name.isEmpty { proto.name = graph.name }
        proto.initializer = try graph.initializers.map(tensors.encode)
        proto.sparseInitializer = try graph.sparseInitializers.map(sparseTensor)
        if !graph.docString.isEmpty { proto.docString = graph.docString }
        proto.input = graph.inputs.map(valueInfo)
        proto.output = graph.outputs.map(valueInfo)
        proto.valueInfo = graph.valueInfo.map(valueInfo)
        proto.quantizationAnnotation = graph.quantizationAnnotations.map { annotation in
            var entry = Onnx_TensorAnnotation()
            entry.tensorName = annotation.tensorName
            entry.quantParameterTensorNames = annotation.quantizationParameterTensorNames.map(stringEntry)
            return entry
        }
        proto.metadataProps = graph.metadata.map(stringEntry)
        return proto
    }

    func node(_ node: Node) throws(ModelFormatError) -> Onnx_NodeProto {
        var proto = Onnx_NodeProto()
        proto.input = node.inputs
        proto.output = node.outputs
        if !node.name.isEmpty { proto.name = node.name }
        proto.opType = node.opType
        if !node.domain.isEmpty { proto.domain = node.domain }
        if !node.overload.isEmpty { proto.overload = node.overload }
        proto.attribute = try node.attributes.map(attribute)
        if !node.docString.isEmpty { proto.docString = node.docString }
        proto.metadataProps = node.metadata.map(stringEntry)
        try merge(node.preservedFields, into: &proto, what: "node '\(node.name)'")
        return proto
    }

    func attribute(_ attribute: Attribute) throws(ModelFormatError) -> Onnx_AttributeProto {
        var proto = Onnx_AttributeProto()
        proto.name = attribute.name
        if let reference = attribute.referencedAttribute { proto.refAttrName = reference }
        if !attribute.docString.isEmpty { proto.docString = attribute.docString }
        let isReference = attribute.referencedAttribute != nil
        switch attribute.value {
        case .float(let value):
            proto.type = .float
            if !isReference { proto.f = value }
        case .int(let value):
            proto.type = .int
            if !isReference { proto.i = value }
        case .string(let value):
            proto.type = .string
            if !isReference { proto.s = Data(value) }
        case .tensor(let value):
            proto.type = .tensor
            if !isReference { proto.t = try tensors.encode(value) }
        case .graph(let value):
            proto.type = .graph
            if !isReference { proto.g = try graph(value) }
        case .sparseTensor(let value):
            proto.type = .sparseTensor
            if !isReference { proto.sparseTensor = try sparseTensor(value) }
        case .type(let value):
            proto.type = .typeProto
            if !isReference { proto.tp = typeProto(value) }
        case .floats(let values):
            proto.type = .floats
            proto.floats = values
        case .ints(let values):
            proto.type = .ints
            proto.ints = values
        case .strings(let values):
            proto.type = .strings
            proto.strings = values.map { Data($0) }
        case .tensors(let values):
            proto.type = .tensors
            proto.tensors = try values.map(tensors.encode)
        case .graphs(let values):
            proto.type = .graphs
            proto.graphs = try values.map(graph)
        case .sparseTensors(let values):
            proto.type = .sparseTensors
            proto.sparseTensors = try values.map(sparseTensor)
        case .types(let values):
            proto.type = .typeProtos
            proto.typeProtos = values.map(typeProto)
        }
        return proto
    }

    func sparseTensor(_ sparse: SparseTensor) throws(ModelFormatError) -> Onnx_SparseTensorProto {
        var proto = Onnx_SparseTensorProto()
        proto.values = try tensors.encode(sparse.values)
        proto.indices = try tensors.encode(sparse.indices)
        proto.dims = sparse.shape.map { Int64($0) }
        return proto
    }

    func valueInfo(_ info: ValueInfo) -> Onnx_ValueInfoProto {
        var proto = Onnx_ValueInfoProto()
        proto.name = info.name
        if let type = info.type { proto.type = typeProto(type) }
        if !info.docString.isEmpty { proto.docString = info.docString }
        proto.metadataProps = info.metadata.map(stringEntry)
        return proto
    }

    func typeProto(_ info: TypeInfo) -> Onnx_TypeProto {
        var proto = typeProto(info.type)
        if let denotation = info.denotation { proto.denotation = denotation }
        return proto
    }

    private func typeProto(_ type: ValueType) -> Onnx_TypeProto {
        var proto = Onnx_TypeProto()
        switch type {
        case let .tensor(elementType, shape):
            var tensor = Onnx_TypeProto.Tensor()
            tensor.elemType = elementType.rawValue
            if let shape { tensor.shape = shapeProto(shape) }
            proto.tensorType = tensor
        case let .sparseTensor(elementType, shape):
            var tensor = Onnx_TypeProto.SparseTensor()
            tensor.elemType = elementType.rawValue
            if let shape { tensor.shape = shapeProto(shape) }
            proto.sparseTensorType = tensor
        case .sequence(let element):
            var sequence = Onnx_TypeProto.Sequence()
            if let element { sequence.elemType = typeProto(element) }
            proto.sequenceType = sequence
        case let .map(keyType, valueType):
            var map = Onnx_TypeProto.Map()
            map.keyType = keyType.rawValue
            if let valueType { map.valueType = typeProto(valueType) }
            proto.mapType = map
        case .optional(let element):
            var optional = Onnx_TypeProto.Optional()
            if let element { optional.elemType = typeProto(element) }
            proto.optionalType = optional
        case let .opaque(domain, name):
            var opaque = Onnx_TypeProto.Opaque()
            if !domain.isEmpty { opaque.domain = domain }
            if !name.isEmpty { opaque.name = name }
            proto.opaqueType = opaque
        case .unspecified:
            break
        }
        return proto
    }

    private func shapeProto(_ shape: TensorShape) -> Onnx_TensorShapeProto {
        var proto = Onnx_TensorShapeProto()
        proto.dim = shape.dimensions.map { dimension in
            var dim = Onnx_TensorShapeProto.Dimension()
            switch dimension.dimension {
            case .fixed(let size): dim.dimValue = Int64(size)
            case .symbolic(let name): dim.dimParam = name
            case .unknown: break
            }
            if let denotation = dimension.denotation { dim.denotation = denotation }
            return dim
        }
        return proto
    }

    func function(_ function: Function) throws(ModelFormatError) -> Onnx_FunctionProto {
        var proto = Onnx_FunctionProto()
        proto.name = function.name
        proto.input = function.inputs
        proto.output = function.outputs
        proto.attribute = function.attributeNames
        proto.attributeProto = try function.attributeDefaults.map(attribute)
        proto.node = try function.nodes.map(node)
        if !function.docString.isEmpty { proto.docString = function.docString }
        proto.opsetImport = function.opsetImports.map(opset)
        proto.domain = function.domain
        if !function.overload.isEmpty { proto.overload = function.overload }
        proto.valueInfo = function.valueInfo.map(valueInfo)
        proto.metadataProps = function.metadata.map(stringEntry)
        return proto
    }

    private func opset(_ opset: OpsetImport) -> Onnx_OperatorSetIdProto {
        var proto = Onnx_OperatorSetIdProto()
        proto.domain = opset.domain
        proto.version = opset.version
        return proto
    }

    private func merge<M: SwiftProtobuf.Message>(_ bytes: [UInt8], into proto: inout M, what: String) throws(ModelFormatError) {
        guard !bytes.isEmpty else { return }
        do { try proto.merge(serializedBytes: bytes) } catch {
            throw .writeFailed(file: file, reason: "\(what): \(error)")
        }
    }
}
