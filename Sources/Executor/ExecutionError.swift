import ModelIR

/// Why a graph could not be executed; every case names the node and operator.
public enum ExecutionError: Error, CustomStringConvertible {
    case unsupportedOperator(node: String, op: String, domain: String, opset: Int64)
    case kernelFailed(node: String, op: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedOperator(node, op, domain, opset):
            "node '\(node)': operator \(domain.isEmpty ? "" : domain + ".")\(op) at opset \(opset) is not supported by the reference executor"
        case let .kernelFailed(node, op, reason):
            "node '\(node)' (\(op)): \(reason)"
        }
    }
}
