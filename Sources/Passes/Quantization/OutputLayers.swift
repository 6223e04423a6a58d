import ModelIR

/// The output layers of a graph: the weighted nodes (`Conv`, `Gemm`, `MatMul` with a constant
/// weight) that write a graph output through reshaping and elementwise steps only — a classifier's
/// last `Gemm`, a pooler and its head, a detector's box regressor before its `Reshape`.
///
/// Their quantization noise reaches the outputs unaveraged by any later layer, and on a classifier
/// they hold a sliver of the weights, so the quantization passes keep them in float32 unless the
/// option `quantize_output_layers=true` asks otherwise, and only while their weights are at most
/// `maximumWeightShare` of the weights the pass quantizes (a language model's vocabulary projection
/// is quantized: it is a large share of the file).
struct OutputLayers {
    /// The largest share of the selected nodes' weight elements that output layers kept in float32 may hold.
    static let maximumWeightShare = 0.05

    /// Steps an output layer's value may pass on its way to a graph output: they reshape, reorder,
    /// add a bias or squash; none mixes its elements with learned weights.
    static let passThroughOps: Set<String> = [
        "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Identity", "Cast", "Dropout",
        "Add", "Sub", "Mul", "Div", "Softmax", "LogSoftmax", "Sigmoid", "Tanh", "Relu", "Clip",
    ]

    /// The first outputs of the output layers `selection` selects, or none when together their
    /// weights exceed `maximumWeightShare` of the weights of all selected nodes.
    static func firstOutputs(in graph: Graph, selection: NodeSelection) -> Set<String> {
        let producers = graph.producers()
        var found: Set<String> = []
        var visited: Set<String> = []
        var pending = graph.outputs.map(\.name)
        while let value = pending.popLast() {
            guard visited.insert(value).inserted, let node = producers[value] else { continue }
            if selection.selects(node), weightElements(of: node, in: graph) != nil {
                found.insert(value)
            } else if node.canonicalDomain.isEmpty, passThroughOps.contains(node.opType) {
                let dataInputs = ["Reshape", "Clip"].contains(node.opType) ? Array(node.inputs.prefix(1)) : node.inputs
                pending.append(contentsOf: dataInputs.filter { !$0.isEmpty && graph.constant($0) == nil })
            }
        }
        guard !found.isEmpty else { return [] }
        var weightOf: [String: Int] = [:]
        var total = 0
        for node in graph.nodes where selection.selects(node) {
            guard let count = weightElements(of: node, in: graph), let output = node.outputs.first else { continue }
            weightOf[output] = count
            total += count
        }
        let kept = found.reduce(0) { $0 + (weightOf[$1] ?? 0) }
        return Double(kept) <= maximumWeightShare * Double(total) ? found : []
    }

    /// The element count of the constant float weight a quantization pass would quantize, or nil when the node has none.
    static func weightElements(of node: Node, in graph: Graph) -> Int? {
        guard let input = StaticQuantization.weight(of: node, in: graph)?.index, let weight = graph.constant(node.inputs[input]) else { return nil }
        return weight.shape.reduce(1, *)
    }
}
