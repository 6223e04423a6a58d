/// An operator set a model or function imports.
public struct OpsetImport: Sendable, Hashable {
    /// "" (or "ai.onnx") for the default ONNX domain.
    public var domain: String
    public var version: Int64

    public init(domain: String, version: Int64) {
        self.domain = domain
        self.version = version
    }
}

/// A whole model: ONNX's `ModelProto`.
public struct Model: Sendable, Equatable {
    public var irVersion: Int64
    public var opsetImports: [OpsetImport]
    public var producerName: String
    public var producerVersion: String
    public var domain: String
    public var modelVersion: Int64
    public var docString: String
    public var graph: Graph
    public var metadata: [MetadataEntry]
    public var functions: [Function]
    /// Serialized protobuf fields the IR does not model (training info, device configurations, unknown fields).
    public var preservedFields: [UInt8]

    public init(irVersion: Int64 = 10, opsetImports: [OpsetImport], producerName: String = "", producerVersion: String = "",
                domain: String = "", modelVersion: Int64 = 0, docString: String = "", graph: Graph,
                metadata: [MetadataEntry] = [], functions: [Function] = [], preservedFields: [UInt8] = []) {
        self.irVersion = irVersion
        self.opsetImports = opsetImports
        self.producerName = producerName
        self.producerVersion = producerVersion
        self.domain = domain
        self.modelVersion = modelVersion
        self.docString = docString
        self.graph = graph
        self.metadata = metadata
        self.functions = functions
        self.preservedFields = preservedFields
    }

    /// The imported version of `domain` ("" and "ai.onnx" are the same domain).
    public func opsetVersion(for domain: String) -> Int64? {
        let wanted = domain == "ai.onnx" ? "" : domain
        return opsetImports.first(where: { ($0.domain == "ai.onnx" ? "" : $0.domain) == wanted })?.version
    }
}

extension OpsetImport {
    /// Opset versions by canonical domain (`Node.canonicalDomain`): `base`, with `imports` taking
    /// precedence (a function's imports over its caller's).
    public static func versions(_ imports: [OpsetImport], over base: [String: Int] = [:]) -> [String: Int] {
        var table = base
        for entry in imports { table[Node.canonicalDomain(entry.domain)] = Int(clamping: entry.version) }
        return table
    }
}
