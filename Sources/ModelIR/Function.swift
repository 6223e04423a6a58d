/// A model-local function: ONNX's `FunctionProto`, an operator defined by a body of nodes.
public struct Function: Sendable, Equatable {
    public var name: String
    public var domain: String
    public var overload: String
    public var inputs: [String]
    public var outputs: [String]
    /// Attribute names without defaults.
    public var attributeNames: [String]
    /// Attributes with default values.
    public var attributeDefaults: [Attribute]
    public var nodes: [Node]
    public var docString: String
    public var opsetImports: [OpsetImport]
    public var valueInfo: [ValueInfo]
    public var metadata: [MetadataEntry]

    public init(name: String, domain: String, overload: String = "", inputs: [String], outputs: [String],
                attributeNames: [String] = [], attributeDefaults: [Attribute] = [], nodes: [Node],
                docString: String = "", opsetImports: [OpsetImport] = [], valueInfo: [ValueInfo] = [], metadata: [MetadataEntry] = []) {
        self.name = name
        self.domain = domain
        self.overload = overload
        self.inputs = inputs
        self.outputs = outputs
        self.attributeNames = attributeNames
        self.attributeDefaults = attributeDefaults
        self.nodes = nodes
        self.docString = docString
        self.opsetImports = opsetImports
        self.valueInfo = valueInfo
        self.metadata = metadata
    }
}

extension Function {
    /// The body of this function as `call` invokes it: every attribute that refers to a function
    /// attribute takes the caller's value, else the function's default, and is dropped when there
    /// is neither (as ONNX does); references inside subgraph attributes (an If's branches, a
    /// Loop's body) are bound the same way.
    public func boundBody(for call: Node) -> [Node] {
        nodes.map { bindingAttributes(of: $0, call: call) }
    }

    private func bindingAttributes(of node: Node, call: Node) -> Node {
        var bound = node
        bound.attributes = node.attributes.compactMap { attribute -> Attribute? in
            if let reference = attribute.referencedAttribute {
                guard var value = call.attribute(reference) ?? attributeDefaults.first(where: { $0.name == reference }) else { return nil }
                value.name = attribute.name
                value.referencedAttribute = nil
                return value
            }
            var copy = attribute
            switch attribute.value {
            case .graph(let graph): copy.value = .graph(bindingAttributes(in: graph, call: call))
            case .graphs(let graphs): copy.value = .graphs(graphs.map { bindingAttributes(in: $0, call: call) })
            default: break
            }
            return copy
        }
        return bound
    }

    private func bindingAttributes(in graph: Graph, call: Node) -> Graph {
        var copy = graph
        copy.nodes = graph.nodes.map { bindingAttributes(of: $0, call: call) }
        return copy
    }
}
