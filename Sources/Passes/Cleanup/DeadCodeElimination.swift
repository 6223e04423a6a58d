import ModelIR

/// Removes nodes none of whose outputs is read (by a node, a subgraph or the graph's outputs),
/// then initializers nothing reads.
public struct DeadCodeElimination: GraphPass {
    public let name = "dead-code"
    public init() {}

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        var changed = false
        while true {
            let used = model.graph.referencedNames()
            let before = model.graph.nodes.count
            model.graph.nodes.removeAll { node in
                !node.outputs.contains { !$0.isEmpty && used.contains($0) }
            }
            if model.graph.nodes.count == before { break }
            changed = true
        }
        if model.graph.removeUnusedInitializers() { changed = true }
        return changed
    }
}
