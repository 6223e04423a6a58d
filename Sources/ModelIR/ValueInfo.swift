/// A named, typed value of a graph: a graph input, output or `value_info` entry.
public struct ValueInfo: Sendable, Hashable {
    public var name: String
    /// The declared type; nil when the file gives none.
    public var type: TypeInfo?
    public var docString: String
    public var metadata: [MetadataEntry]

    public init(name: String, type: TypeInfo? = nil, docString: String = "", metadata: [MetadataEntry] = []) {
        self.name = name
        self.type = type
        self.docString = docString
        self.metadata = metadata
    }

    /// A tensor value of `elementType` and `shape` (nil for unknown rank).
    public init(name: String, elementType: DataType, shape: TensorShape?) {
        self.init(name: name, type: TypeInfo(.tensor(elementType: elementType, shape: shape)))
    }
}
