import ModelIR

/// Hands out value and node names that no part of a graph (subgraphs included) uses yet.
struct NameGenerator {
    private var names = UniqueNames()

    init(_ graph: Graph) {
        collect(graph)
    }

    private mutating func collect(_ graph: Graph) {
        let values = graph.inputs.map(\.name) + graph.outputs.map(\.name) + graph.initializers.map(\.name)
            + graph.sparseInitializers.map(\.name)
        for name in values { names.reserve(name) }
        for node in graph.nodes {
            for output in node.outputs { names.reserve(output) }
            names.reserve(node.name)
            for subgraph in node.subgraphs { collect(subgraph) }
        }
    }

    /// `base` when it is free, else `base_1`, `base_2`, …; the name is then taken.
    mutating func fresh(_ base: String) -> String {
        names.fresh(base)
    }
}
