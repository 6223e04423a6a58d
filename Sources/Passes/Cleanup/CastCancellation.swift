import ModelIR

/// Removes casts that undo each other or do nothing.
///
/// Matches `Cast(to: T)` of a value already of type T (removed), and `Cast(to: A) → Cast(to: B)`
/// where the first cast widens losslessly (float16 → float, for example) — the second then reads
/// the original value directly; if B is the original type the pair disappears.
public struct CastCancellation: GraphPass {
    public let name = "cast-cancellation"
    public init() {}

    /// True when converting `source` to `target` keeps every value exactly.
    static func isLossless(from source: DataType, to target: DataType) -> Bool {
        switch (source, target) {
        case (.float16, .float), (.float16, .double), (.float, .double), (.bfloat16, .float), (.bfloat16, .double),
             (.int8, .int16), (.int8, .int32), (.int8, .int64), (.int16, .int32), (.int16, .int64), (.int32, .int64),
             (.uint8, .int16), (.uint8, .int32), (.uint8, .int64), (.uint8, .float), (.int8, .float), (.int16, .float):
            return true
        default:
            return false
        }
    }

    /// A Cast that can go (its output is replaced by `replacement`) or read an earlier value instead.
    private enum Edit {
        case bypass(output: String, replacement: String)
        case rewire(output: String, source: String)
    }

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let types = ValueTypes(inferring: model)
        let producers = model.graph.producerIndex()
        var edits: [Edit] = []
        for index in model.graph.nodes.indices {
            if let edit = Self.edit(for: index, in: model.graph, producers: producers, types: types) { edits.append(edit) }
        }
        var changed = false
        var replaced: [String: String] = [:]
        func current(_ name: String) -> String {
            var name = name
            while let next = replaced[name] { name = next }
            return name
        }
        for edit in edits {
            switch edit {
            case let .rewire(output, source):
                let source = current(source)
                if let node = model.graph.nodes.firstIndex(where: { $0.outputs.first == output }),
                   model.graph.nodes[node].inputs[0] != source {
                    model.graph.nodes[node].inputs[0] = source
                    changed = true
                }
            case let .bypass(output, replacement):
                let replacement = current(replacement)
                if Self.remove(output, replacingWith: replacement, in: &model.graph) {
                    replaced[output] = replacement
                    changed = true
                }
            }
        }
        return changed
    }

    private static func edit(for index: Int, in graph: Graph, producers: [String: Int], types: ValueTypes) -> Edit? {
        let node = graph.nodes[index]
        guard node.isONNX("Cast"), node.inputs.count == 1, node.outputs.count == 1 else { return nil }
        let input = node.inputs[0], output = node.outputs[0]
        let target = target(of: node)
        let source = types.elementType(input)
        guard let target, let source else { return nil }
        if source.rawValue == target.rawValue { return .bypass(output: output, replacement: input) }
        guard let first = producers[input] else { return nil }
        let producer = graph.nodes[first]
        guard producer.isONNX("Cast"), producer.inputs.count == 1 else { return nil }
        let original = producer.inputs[0]
        guard let originalType = types.elementType(original), isLossless(from: originalType, to: source) else { return nil }
        if originalType.rawValue == target.rawValue { return .bypass(output: output, replacement: original) }
        return .rewire(output: output, source: original)
    }

    private static func remove(_ output: String, replacingWith replacement: String, in graph: inout Graph) -> Bool {
        var candidate = graph
        guard let position = candidate.nodes.firstIndex(where: { $0.outputs.first == output }) else { return false }
        candidate.nodes.remove(at: position)
        guard candidate.bypass(output, with: replacement) else { return false }
        graph = candidate
        return true
    }

    private static func target(of node: Node) -> DataType? {
        guard let code = node.intAttribute("to"), let raw = Int32(exactly: code) else { return nil }
        return DataType(rawValue: raw)
    }
}
