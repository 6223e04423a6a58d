/// A computation graph: ONNX's `GraphProto`. Nodes are kept in file order.
public struct Graph: Sendable, Equatable {
    public var name: String
    public var nodes: [Node]
    public var initializers: [Tensor]
    public var sparseInitializers: [SparseTensor]
    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]
    public var valueInfo: [ValueInfo]
    public var docString: String
    public var quantizationAnnotations: [TensorAnnotation]
    public var metadata: [MetadataEntry]

    public init(name: String = "", nodes: [Node] = [], initializers: [Tensor] = [], sparseInitializers: [SparseTensor] = [],
                inputs: [ValueInfo] = [], outputs: [ValueInfo] = [], valueInfo: [ValueInfo] = [],
                docString: String = "", quantizationAnnotations: [TensorAnnotation] = [], metadata: [MetadataEntry] = []) {
        self.name = name
        self.nodes = nodes
        self.initializers = initializers
        self.sparseInitializers = sparseInitializers
        self.inputs = inputs
        self.outputs = outputs
        self.valueInfo = valueInfo
        self.docString = docString
        self.quantizationAnnotations = quantizationAnnotations
        self.metadata = metadata
    }
}

extension Graph {
    /// The node that writes each value of this graph (not of its subgraphs), by value name.
    public func producers() -> [String: Node] {
        var result: [String: Node] = [:]
        for node in nodes {
            for output in node.outputs where !output.isEmpty { result[output] = node }
        }
        return result
    }
}

/// ONNX's `TensorAnnotation`: quantization parameter tensors attached to a value.
public struct TensorAnnotation: Sendable, Hashable {
    public var tensorName: String
    public var quantizationParameterTensorNames: [MetadataEntry]

    public init(tensorName: String, quantizationParameterTensorNames: [MetadataEntry]) {
        self.tensorName = tensorName
        self.quantizationParameterTensorNames = quantizationParameterTensorNames
    }
}

extension Graph {
    /// Names this graph (with its nested subgraphs) reads but does not define.
    public func freeVariables() -> Set<String> {
        var defined = Set(inputs.map(\.name))
        defined.formUnion(initializers.map(\.name))
        defined.formUnion(sparseInitializers.map(\.name))
        for node in nodes { defined.formUnion(node.outputs) }
        var used = Set<String>()
        for node in nodes {
            used.formUnion(node.inputs)
            for subgraph in node.subgraphs { used.formUnion(subgraph.freeVariables()) }
        }
        for output in outputs { used.insert(output.name) }
        used.remove("")
        return used.subtracting(defined)
    }
}
