import ModelIR

/// Removes redundant data-movement: a `Transpose` of a `Transpose` becomes one (or none, when the
/// permutations cancel), an identity `Transpose` goes, a `Reshape` of a `Reshape` reads the first
/// one's input (when the second shape has no 0, which would copy a dimension of the intermediate),
/// and a `Reshape` to the shape its input already has goes.
public struct TransposeReshapeCancellation: GraphPass {
    public let name = "transpose-reshape-cancellation"
    public init() {}

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let types = ValueTypes(inferring: model)
        var changed = false
        var index = 0
        while index < model.graph.nodes.count {
            let node = model.graph.nodes[index]
            let producers = model.graph.producerIndex()
            let source = node.inputs.first.flatMap { producers[$0] }.map { model.graph.nodes[$0] }
            if node.isONNX("Transpose"), let rank = types.rank(node.inputs[0]) {
                let perm = permutation(of: node, rank: rank)
                if perm == Array(0..<rank), remove(at: index, in: &model.graph) {
                    changed = true
                    continue
                }
                if let source, source.isONNX("Transpose"), let sourceRank = types.rank(source.inputs[0]), sourceRank == rank {
                    let first = permutation(of: source, rank: rank)
                    let composed = perm.map { first[$0] }
                    model.graph.nodes[index].inputs[0] = source.inputs[0]
                    model.graph.nodes[index].setAttribute("perm", .ints(composed.map(Int64.init)))
                    changed = true
                    continue
                }
            } else if node.isONNX("Reshape"), node.inputs.count == 2 {
                if let input = types.fixedShape(node.inputs[0]), let output = types.fixedShape(node.outputs[0]), input == output,
                   remove(at: index, in: &model.graph) {
                    changed = true
                    continue
                }
                if let source, source.isONNX("Reshape"), let shape = model.graph.constant(node.inputs[1]),
                   let sizes = try? shape.int64Values(), !sizes.contains(0) {
                    model.graph.nodes[index].inputs[0] = source.inputs[0]
                    changed = true
                    continue
                }
            }
            index += 1
        }
        return changed
    }

    private func permutation(of node: Node, rank: Int) -> [Int] {
        guard let perm = node.intsAttribute("perm") else { return Array((0..<rank).reversed()) }
        return perm.map { Int($0) }
    }

    private func remove(at index: Int, in graph: inout Graph) -> Bool {
        var candidate = graph
        let node = candidate.nodes.remove(at: index)
        guard candidate.bypass(node.outputs[0], with: node.inputs[0]) else { return false }
        graph = candidate
        return true
    }
}
