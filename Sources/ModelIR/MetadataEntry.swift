/// One key–value pair of ONNX `metadata_props` (or `external_data`); order is kept as in the file.
public struct MetadataEntry: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == MetadataEntry {
    /// The value of the first entry with `key`.
    public subscript(key key: String) -> String? {
        first(where: { $0.key == key })?.value
    }
}
