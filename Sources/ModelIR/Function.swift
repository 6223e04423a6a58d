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
