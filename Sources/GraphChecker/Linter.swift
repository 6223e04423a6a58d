import ModelIR

/// Warnings beyond ONNX's checker: values nobody reads, nodes whose results reach no output,
/// opsets too old for current runtimes, and float64 weights.
struct Linter {
    let sink: FindingSink

    /// Opsets below this are outside what current runtimes and converters support well.
    static let oldestRecommendedOpset: Int64 = 7

    func lint(_ model: Model) {
        if let version = model.opsetVersion(for: ""), version < Self.oldestRecommendedOpset {
            sink.warning(FindingCode.oldOpset, "the model imports ONNX opset \(version), older than \(Self.oldestRecommendedOpset)",
                         hint: "convert it to a newer opset (onnx.version_converter)")
        }
        let graph = model.graph
        let consumed = Self.consumedNames(of: graph)
        let outputs = Set(graph.outputs.map(\.name))
        let initializerNames = Set(graph.initializers.map(\.name))
        for tensor in graph.initializers where !consumed.contains(tensor.name) && !outputs.contains(tensor.name) {
            sink.warning(FindingCode.unusedInitializer, "initializer '\(tensor.name)' is not used by any node",
                         hint: "remove it to shrink the model")
        }
        for input in graph.inputs where !initializerNames.contains(input.name) && !consumed.contains(input.name) && !outputs.contains(input.name) {
            sink.warning(FindingCode.unusedInput, "graph input '\(input.name)' is not used by any node",
                         hint: "remove the input or connect it")
        }
        for tensor in graph.initializers where tensor.dataType == .double {
            sink.warning(FindingCode.float64Weights, "initializer '\(tensor.name)' holds float64 values \(tensor.shape)",
                         hint: "most runtimes compute in float32; cast the weights to float unless double precision is needed")
        }
        for node in Self.deadNodes(of: graph) {
            sink.add(.warning, FindingCode.deadNode, "node '\(node.label)' (\(node.opType)) contributes to no graph output", node: node,
                     hint: "remove it (dead-code elimination)")
        }
    }

    /// Every name read by a node of `graph`, including names its subgraphs read from the enclosing scope.
    static func consumedNames(of graph: Graph) -> Set<String> {
        var names: Set<String> = []
        for node in graph.nodes {
            names.formUnion(node.inputs.filter { !$0.isEmpty })
            for subgraph in node.subgraphs {
                names.formUnion(consumedNames(of: subgraph))
                names.formUnion(subgraph.outputs.map(\.name))
            }
        }
        return names
    }

    /// The nodes of `graph` from which no graph output can be reached.
    static func deadNodes(of graph: Graph) -> [Node] {
        var producer: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { producer[output] = index }
        }
        var live = Set<Int>()
        var pending = graph.outputs.compactMap { producer[$0.name] }
        while let index = pending.popLast() {
            guard live.insert(index).inserted else { continue }
            let node = graph.nodes[index]
            var reads = node.inputs.filter { !$0.isEmpty }
            for subgraph in node.subgraphs {
                reads.append(contentsOf: consumedNames(of: subgraph))
                reads.append(contentsOf: subgraph.outputs.map(\.name))
            }
            pending.append(contentsOf: reads.compactMap { producer[$0] })
        }
        return graph.nodes.indices.filter { !live.contains($0) }.map { graph.nodes[$0] }
    }
}
