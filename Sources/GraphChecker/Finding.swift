import ModelIR

/// One result of checking a graph: what is wrong or worth knowing, where, and what to do.
public struct Finding: Sendable, Hashable, Codable {
    public enum Level: String, Sendable, Hashable, Codable, Comparable {
        case info, warning, error

        private var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    public var level: Level
    /// A stable identifier such as `"undefined-input"`; tools match on it, people read `message`.
    public var code: String
    public var node: String?
    public var op: String?
    public var message: String
    public var hint: String?

    public init(level: Level, code: String, node: String? = nil, op: String? = nil, message: String, hint: String? = nil) {
        self.level = level
        self.code = code
        self.node = node
        self.op = op
        self.message = message
        self.hint = hint
    }
}
