/// One operator application: ONNX's `NodeProto`.
public struct Node: Sendable, Equatable {
    public var name: String
    public var opType: String
    /// The operator set domain; "" (or "ai.onnx") is the default ONNX domain.
    public var domain: String
    public var overload: String
    /// Input value names in order; "" marks an omitted optional input.
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [Attribute]
    public var docString: String
    public var metadata: [MetadataEntry]
    /// Serialized protobuf fields the IR does not model (device configurations, unknown fields).
    public var preservedFields: [UInt8]

    public init(name: String = "", opType: String, domain: String = "", overload: String = "",
                inputs: [String], outputs: [String], attributes: [Attribute] = [],
                docString: String = "", metadata: [MetadataEntry] = [], preservedFields: [UInt8] = []) {
        self.name = name
        self.opType = opType
        self.domain = domain
        self.overload = overload
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
        self.docString = docString
        self.metadata = metadata
        self.preservedFields = preservedFields
    }

    /// The attribute called `name`.
    public func attribute(_ name: String) -> Attribute? {
        attributes.first(where: { $0.name == name })
    }

    /// The domain with "ai.onnx" spelled as the default domain "".
    public var canonicalDomain: String { Node.canonicalDomain(domain) }

    /// `domain` with "ai.onnx" spelled as the default domain "": the one canonical form of a
    /// domain name, for nodes, functions, opset imports and kernel tables alike.
    public static func canonicalDomain(_ domain: String) -> String { domain == "ai.onnx" ? "" : domain }

    /// A label for messages: the name if there is one, else the op type and first output.
    public var label: String {
        name.isEmpty ? "\(opType) → \(outputs.first ?? "?")" : name
    }

    /// The graphs held by this node's attributes (If branches, Loop and Scan bodies).
    public var subgraphs: [Graph] { attributes.flatMap(\.subgraphs) }
}
