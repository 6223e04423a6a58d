/// Why a report cannot be read, written, merged or compared.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case malformed(file: String, reason: String)
    case unsupportedSchema(file: String, schema: String)
    case encoding(String)
    case writeFailed(file: String, reason: String)
    case mismatchedReports(String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read the report: \(reason)"
        case let .malformed(file, reason): "\(file): not a ModelGate report: \(reason)"
        case let .unsupportedSchema(file, schema):
            "\(file): report schema '\(schema)' is not '\(ReportSchema.jsonSchema)', the one this version of ModelGate reads"
        case .encoding(let reason): "cannot encode the report: \(reason)"
        case let .writeFailed(file, reason): "\(file): cannot write: \(reason)"
        case .mismatchedReports(let reason): reason
        }
    }
}
