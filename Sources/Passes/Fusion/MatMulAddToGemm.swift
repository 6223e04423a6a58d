import ModelIR

/// Replaces `MatMul(A, B) → Add(C)` by `Gemm(A, B, C)` where that is legal: A of rank 2, B a
/// float32 constant of rank 2, C a constant that is a scalar or one value per output column, and
/// the MatMul's output read only by the Add.
public struct MatMulAddToGemm: GraphPass {
    public let name = "matmul-add-to-gemm"
    public init() {}

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let types = ValueTypes(inferring: model)
        var names = NameGenerator(model.graph)
        var changed = false
        var index = 0
        while index < model.graph.nodes.count {
            let add = model.graph.nodes[index]
            guard add.isONNX("Add"), add.inputs.count == 2, let (side, matmulIndex) = matmulOperand(of: add, in: model.graph),
                  let bias = model.graph.constant(add.inputs[1 - side]), bias.dataType == .float else {
                index += 1
                continue
            }
            let matmul = model.graph.nodes[matmulIndex]
            guard types.rank(matmul.inputs[0]) == 2, let weight = model.graph.constant(matmul.inputs[1]),
                  weight.dataType == .float, weight.rank == 2,
                  let values = perChannelValues(bias, channels: weight.shape[1], outputRank: 2, channelAxis: 1) else {
                index += 1
                continue
            }
            let biasName = names.fresh(bias.name + "_gemm")
            model.graph.initializers.append(try Tensor.float(biasName, shape: [values.count], values))
            model.graph.nodes[matmulIndex] = Node(name: matmul.name.isEmpty ? "" : names.fresh(matmul.name + "_gemm"),
                                                  opType: "Gemm", inputs: [matmul.inputs[0], matmul.inputs[1], biasName],
                                                  outputs: [add.outputs[0]])
            model.graph.nodes.remove(at: index)
            changed = true
        }
        return changed
    }

    private func matmulOperand(of add: Node, in graph: Graph) -> (Int, Int)? {
        let producers = graph.producerIndex()
        let consumers = graph.consumerIndices()
        for side in 0..<2 {
            let value = add.inputs[side]
            if let producer = producers[value], graph.nodes[producer].isONNX("MatMul"),
               consumers[value]?.count == 1, !graph.outputNames.contains(value) {
                return (side, producer)
            }
        }
        return nil
    }
}
