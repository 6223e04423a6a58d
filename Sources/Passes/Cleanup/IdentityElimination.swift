import ModelIR

/// Removes `Identity` nodes and inference-mode `Dropout` nodes, rewiring their readers to the input.
///
/// A Dropout stays when its mask output is read or its `training_mode` input is not a constant false.
/// A node whose output is a graph output goes only when its input can take over that name (see
/// `Graph.bypass`). Identity on sequences or optionals is removed like any other.
public struct IdentityElimination: GraphPass {
    public let name = "identity-elimination"
    public init() {}

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        model.graph.rewriteEachNode { index, graph in
            let node = graph.nodes[index]
            guard isRemovable(node, in: graph), let input = node.inputs.first, !input.isEmpty,
                  let output = node.outputs.first, !output.isEmpty else { return false }
            var candidate = graph
            candidate.nodes.remove(at: index)
            guard candidate.bypass(output, with: input) else { return false }
            graph = candidate
            return true
        }
    }

    private func isRemovable(_ node: Node, in graph: Graph) -> Bool {
        if node.isONNX("Identity") { return node.inputs.count == 1 }
        guard node.isONNX("Dropout") else { return false }
        if node.outputs.count > 1, !node.outputs[1].isEmpty, graph.referencedNames().contains(node.outputs[1]) { return false }
        if node.inputs.count > 2, !node.inputs[2].isEmpty {
            guard let training = graph.constant(node.inputs[2]), let values = try? training.doubleValues(),
                  values.allSatisfy({ $0 == 0 }) else { return false }
        }
        if node.intAttribute("is_test") == 0 { return false }
        return true
    }
}
