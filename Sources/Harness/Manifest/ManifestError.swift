/// Why `corpus.yml` cannot be used: every case names the file, and all but `unreadable` the line
/// and column, the offending key or value, and what is allowed instead.
public enum ManifestError: Error, CustomStringConvertible, Equatable {
    /// The file cannot be read.
    case unreadable(file: String, reason: String)
    /// The text is not valid YAML.
    case syntax(file: String, line: Int, column: Int, problem: String)
    /// The YAML is valid but a key or value is not: `allowed` lists what would be accepted.
    case invalid(file: String, line: Int, column: Int, problem: String, allowed: [String])

    public var file: String {
        switch self {
        case .unreadable(let file, _), .syntax(let file, _, _, _), .invalid(let file, _, _, _, _): file
        }
    }

    /// The 1-based line of the problem, 0 when the whole file is concerned.
    public var line: Int {
        switch self {
        case .unreadable: 0
        case .syntax(_, let line, _, _), .invalid(_, let line, _, _, _): line
        }
    }

    public var column: Int {
        switch self {
        case .unreadable: 0
        case .syntax(_, _, let column, _), .invalid(_, _, let column, _, _): column
        }
    }

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the corpus manifest: \(reason)"
        case let .syntax(file, line, column, problem):
            return "\(file):\(line):\(column): invalid YAML: \(problem)"
        case let .invalid(file, line, column, problem, allowed):
            let suffix = allowed.isEmpty ? "" : "; allowed: " + allowed.joined(separator: ", ")
            return "\(file):\(line):\(column): \(problem)\(suffix)"
        }
    }
}
