import ModelIR

/// Why a graph could not be prepared or executed. Every case about a node names the node, the
/// operator, its domain and the opset it was resolved at.
public enum ExecutionError: Error, CustomStringConvertible {
    /// No kernel implements `op` of `domain` at or below `opset`; `available` lists the since-versions that exist.
    case unsupportedOperator(node: String, op: String, domain: String, opset: Int, available: [Int])
    /// The node is malformed for its operator: wrong arity, a missing or ill-typed attribute.
    case invalidNode(node: String, op: String, domain: String, opset: Int, reason: String)
    /// A kernel failed while running; `inputs` describes the values it was given.
    case kernelFailed(node: String, op: String, domain: String, opset: Int, inputs: String, reason: String)
    /// The graph cannot be ordered or wired: a cycle, an undefined value, a value defined twice.
    case invalidGraph(graph: String, reason: String)
    /// The model does not import the domain a node uses.
    case missingOpset(node: String, op: String, domain: String)
    /// A graph input was not fed.
    case missingInput(name: String, expected: String)
    /// A fed name is not an input of the graph.
    case unknownInput(name: String, inputs: [String])
    /// A fed value does not match the type or shape the graph declares for it.
    case inputMismatch(name: String, expected: String, actual: String)
    /// A graph output was never computed.
    case missingOutput(name: String)

    public var description: String {
        func qualified(_ domain: String, _ op: String) -> String { domain.isEmpty ? op : "\(domain).\(op)" }
        switch self {
        case let .unsupportedOperator(node, op, domain, opset, available):
            let versions = available.isEmpty
                ? "no version of it is implemented"
                : "implemented since-versions are \(available.map(String.init).joined(separator: ", "))"
            return "node '\(node)': operator \(qualified(domain, op)) at opset \(opset) is not supported by the reference executor (\(versions))"
        case let .invalidNode(node, op, domain, opset, reason):
            return "node '\(node)' (\(qualified(domain, op)), opset \(opset)): \(reason)"
        case let .kernelFailed(node, op, domain, opset, inputs, reason):
            return "node '\(node)' (\(qualified(domain, op)), opset \(opset)) with inputs \(inputs): \(reason)"
        case let .invalidGraph(graph, reason):
            return "graph '\(graph)': \(reason)"
        case let .missingOpset(node, op, domain):
            return "node '\(node)' (\(op)) uses domain '\(domain)', which the model does not import"
        case let .missingInput(name, expected):
            return "input '\(name)' (\(expected)) was not given; feed it by name"
        case let .unknownInput(name, inputs):
            return "'\(name)' is not an input of the graph; its inputs are \(inputs.joined(separator: ", "))"
        case let .inputMismatch(name, expected, actual):
            return "input '\(name)': the graph expects \(expected) but was given \(actual)"
        case let .missingOutput(name):
            return "graph output '\(name)' was not computed"
        }
    }
}
