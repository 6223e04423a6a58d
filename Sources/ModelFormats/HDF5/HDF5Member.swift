/// One link in an HDF5 group: its name and what it leads to.
public struct HDF5Member: Sendable, Hashable {
    /// What a link leads to.
    public enum Kind: Sendable, Hashable {
        case group
        case dataset
        /// A named datatype, or a link that does not resolve (dangling soft or external link).
        case other
    }

    /// The link's name within its group (one path component).
    public let name: String
    public let kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}
