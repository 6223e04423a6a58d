/// The step of a model × path cell that failed (docs/architecture.md, "How one cell runs").
public enum CellStage: String, Sendable, Hashable, Codable, CaseIterable {
    case load, convert, check, execute, compare, diagnose, size, latency
}

/// A stage that failed, with the message that names the file, node or output concerned.
public struct CellError: Sendable, Hashable, Codable, Error, CustomStringConvertible {
    public var stage: CellStage
    public var message: String

    public init(stage: CellStage, message: String) {
        self.stage = stage
        self.message = message
    }

    public var description: String { "\(stage.rawValue): \(message)" }
}
