import GraphChecker

/// Why an optimization could not be done.
public enum PassError: Error, CustomStringConvertible, Equatable {
    case unknownPath(String, known: [String])
    case invalidOption(key: String, value: String, expected: String)
    /// A pass left an invalid graph: a bug in the pass, reported with the checker's errors.
    case invalidResult(pass: String, errors: [String])
    case missingCalibration(stage: String)
    case unsupported(pass: String, node: String, reason: String)
    case noFixpoint(stage: String, rounds: Int)

    public var description: String {
        switch self {
        case let .unknownPath(name, known):
            "unknown optimization path '\(name)'; known paths: \(known.joined(separator: ", ")) (combine them with '+')"
        case let .invalidOption(key, value, expected):
            "option '\(key)=\(value)' is invalid: expected \(expected)"
        case let .invalidResult(pass, errors):
            "pass '\(pass)' produced an invalid graph: " + errors.prefix(5).joined(separator: "; ")
        case .missingCalibration(let stage):
            "stage '\(stage)' needs calibration data: pass --calibration FILE, or give the model a calibration.h5 or golden inputs"
        case let .unsupported(pass, node, reason):
            "pass '\(pass)' cannot handle node '\(node)': \(reason)"
        case let .noFixpoint(stage, rounds):
            "stage '\(stage)' still changed the graph after \(rounds) rounds; its passes undo each other"
        }
    }
}
