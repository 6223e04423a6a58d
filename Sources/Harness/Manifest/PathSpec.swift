import Passes

/// One step of a path: a built-in transformation or a user's converter command.
public enum PathStep: Sendable, Hashable {
    case builtin(OptimizationPath.Component)
    case external(ExternalPath)

    public var name: String {
        switch self {
        case .builtin(let component): component.description
        case .external(let path): path.name
        }
    }
}

/// A resolved path name: `fp32`, an external path, or a composition `a+b` applied left to right.
public struct PathSpec: Sendable, Hashable {
    public var name: String
    public var steps: [PathStep]

    public init(name: String, steps: [PathStep]) {
        self.name = name
        self.steps = steps
    }

    /// True when the path is the plain fp32 conversion, the reference other cells are sized against.
    public var isReference: Bool { steps == [.builtin(.fp32)] }

    /// True when a step is `int8-static` or `int8-auto`, whose candidates a judge measures.
    public var quantizesStatically: Bool { steps.contains(.builtin(.int8Static)) || steps.contains(.builtin(.int8Auto)) }
}
