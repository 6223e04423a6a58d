import ModelIR

/// WHILE (`WhileOptions`: condition and body subgraphs) as ONNX Loop without a trip count: the
/// condition subgraph is inlined once on the initial values for the Loop's first condition, and
/// again inside the body on the body's results for the next one. Constants of both subgraphs are
/// initializers of the main graph, which the body reads from the outer scope.
extension TFLiteGraphBuilder {
    func convertWhile(_ op: TFLiteOperator) throws(ModelFormatError) {
        guard let table = op.options else { throw malformed("has no WhileOptions") }
        let conditionIndex = Int(try table.int32(0, "cond_subgraph_index"))
        let bodyIndex = Int(try table.int32(1, "body_subgraph_index"))
        for index in [conditionIndex, bodyIndex] {
            guard index >= 0, index < context.model.subgraphs.count else {
                throw malformed("refers to subgraph \(index) but the model has \(context.model.subgraphs.count)")
            }
            guard !context.activeSubgraphs.contains(index) else {
                throw malformed("subgraph \(index) calls itself through WHILE; the file is corrupt")
            }
        }
        guard context.activeSubgraphs.count < 16 else { throw unsupported("WHILE loops nest deeper than 16") }
        var initial: [String] = []
        for index in op.inputs {
            guard index >= 0 else { throw malformed("WHILE has an omitted input") }
            initial.append(try value(index))
        }
        guard op.outputs.count == initial.count else {
            throw malformed("WHILE has \(initial.count) inputs but \(op.outputs.count) outputs")
        }

        let firstCondition = try inlineCondition(conditionIndex, on: initial)
        nodes.append(contentsOf: firstCondition.nodes)

        let body = try TFLiteGraphBuilder(context: context, subgraphIndex: bodyIndex)
        let iteration = context.freshName("\(hint(op.outputs.first ?? -1))/iteration")
        let conditionIn = context.freshName("\(hint(op.outputs.first ?? -1))/condition_in")
        var carriedInputs: [ValueInfo] = []
        var carried: [String] = []
        for index in body.subgraph.inputs {
            let name = context.freshName("\(body.hint(index))/carried")
            carried.append(name)
            carriedInputs.append(ValueInfo(name: name, elementType: try body.dataType(index), shape: nil))
        }
        try body.bind(inputs: carried)
        try body.convertOperators()
        var results: [String] = []
        for index in body.subgraph.outputs { results.append(try body.value(index)) }
        guard results.count == initial.count else {
            throw malformed("WHILE body subgraph \(bodyIndex) has \(results.count) outputs for \(initial.count) loop values")
        }
        let nextCondition = try inlineCondition(conditionIndex, on: results)
        var bodyNodes = body.nodes + nextCondition.nodes
        var bodyOutputs: [ValueInfo] = []
        for (position, source) in ([nextCondition.value] + results).enumerated() {
            let name = context.freshName("\(source)/next")
            bodyNodes.append(Node(name: name, opType: "Identity", inputs: [source], outputs: [name]))
            let type: DataType = position == 0 ? .bool : carriedInputs[position - 1].type?.type.tensorType?.elementType ?? .float
            bodyOutputs.append(ValueInfo(name: name, elementType: type, shape: nil))
        }
        let graph = Graph(name: body.subgraph.name.isEmpty ? "while_body_\(bodyIndex)" : body.subgraph.name, nodes: bodyNodes,
                          inputs: [ValueInfo(name: iteration, elementType: .int64, shape: TensorShape(fixed: [])),
                                   ValueInfo(name: conditionIn, elementType: .bool, shape: TensorShape(fixed: []))] + carriedInputs,
                          outputs: bodyOutputs)
        let outputs = add("Loop", ["", firstCondition.value] + initial, [Attribute(name: "body", value: .graph(graph))],
                          hint: hint(op.outputs[0]), outputs: initial.count)
        for (output, name) in zip(op.outputs, outputs) where output >= 0 { try setOutput(output, name) }
    }

    /// The condition subgraph converted on `inputs`: its nodes and its boolean result.
    private func inlineCondition(_ index: Int, on inputs: [String]) throws(ModelFormatError) -> (nodes: [Node], value: String) {
        let condition = try TFLiteGraphBuilder(context: context, subgraphIndex: index)
        try condition.bind(inputs: inputs)
        try condition.convertOperators()
        guard condition.subgraph.outputs.count == 1 else {
            throw malformed("WHILE condition subgraph \(index) has \(condition.subgraph.outputs.count) outputs, not 1")
        }
        return (condition.nodes, try condition.value(condition.subgraph.outputs[0]))
    }
}
