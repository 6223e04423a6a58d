/// A model × path cell.
public struct CellKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var model: String
    public var path: String

    public init(model: String, path: String) {
        self.model = model
        self.path = path
    }

    public var description: String { "\(model) × \(path)" }

    /// By model name, then path name: an order that does not depend on the manifest's.
    public static func < (lhs: CellKey, rhs: CellKey) -> Bool {
        (lhs.model, lhs.path) < (rhs.model, rhs.path)
    }
}
