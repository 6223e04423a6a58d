import ModelIR

/// Turns `Constant` nodes of the main graph into initializers, so that every later pass finds
/// constants in one place.
///
/// Matches: `Constant` with a `value`, `value_float(s)` or `value_int(s)` attribute whose output is
/// not a graph output. String and sparse constants are left alone.
public struct ConstantLifting: GraphPass {
    public let name = "constant-lifting"
    public init() {}

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let outputs = model.graph.outputNames
        var lifted: [Tensor] = []
        var kept: [Node] = []
        for node in model.graph.nodes {
            guard node.isONNX("Constant"), let output = node.outputs.first, !outputs.contains(output),
                  var tensor = Self.value(of: node) else {
                kept.append(node)
                continue
            }
            tensor.name = output
            tensor.encoding = .rawData
            lifted.append(tensor)
        }
        guard !lifted.isEmpty else { return false }
        model.graph.nodes = kept
        model.graph.initializers.append(contentsOf: lifted)
        return true
    }

    static func value(of node: Node) -> Tensor? {
        guard let attribute = node.attributes.first else { return nil }
        switch attribute.value {
        case .tensor(let tensor) where tensor.dataType != .string: return tensor
        case .float(let value): return Tensor(scalar: value)
        case .int(let value): return Tensor(scalar: value)
        case .floats(let values): return try? Tensor(shape: [values.count], scalars: values)
        case .ints(let values): return try? Tensor(shape: [values.count], scalars: values)
        default: return nil
        }
    }
}
