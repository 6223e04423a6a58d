import ModelIR

/// Hands out value and node names that no part of a graph uses yet.
struct NameGenerator {
    private var taken: Set<String>

    init(_ graph: Graph) {
        taken = []
        collect(graph)
    }

    private mutating func collect(_ graph: Graph) {
        taken.formUnion(graph.inputs.map(\.name))
        taken.formUnion(graph.outputs.map(\.name))
        taken.formUnion(graph.initializers.map(\.name))
        taken.formUnion(graph.sparseInitializers.map(\.name))
        for node in graph.nodes {
            taken.formUnion(node.outputs)
            taken.insert(node.name)
            for subgraph in node.subgraphs { collect(subgraph) }
        }
    }

    /// `base` when it is free, else `base_1`, `base_2`, …; the name is then taken.
    mutating func fresh(_ base: String) -> String {
        var candidate = base
        var counter = 1
        while taken.contains(candidate) {
            candidate = "\(base)_\(counter)"
            counter += 1
        }
        taken.insert(candidate)
        return candidate
    }
}
