import ModelIR

/// Folds an `Add`, `Sub`, `Mul` or `Div` by a per-channel constant that follows a `Conv` or `Gemm`
/// into that node's weights and bias.
///
/// `Add c` / `Sub c` shift the bias; `Mul c` / `Div c` scale the weights along the output channel
/// and the bias. The constant must be a scalar or vary only along the channel axis (axis 1 of the
/// output); for Sub and Div it must be the second operand, and Div needs no zero in it. The
/// producer's output must be read only by the arithmetic node; weights and bias must be float32
/// constants (a Gemm bias per channel).
public struct ConstantArithmeticFolding: GraphPass {
    public let name = "arithmetic-folding"
    public init() {}

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        var names = NameGenerator(model.graph)
        return try model.graph.rewriteEachNode { index, graph in try fold(at: index, in: &graph, names: &names) }
    }

    private func fold(at index: Int, in graph: inout Graph, names: inout NameGenerator) throws -> Bool {
        let node = graph.nodes[index]
        guard ["Add", "Sub", "Mul", "Div"].contains(node.opType), node.canonicalDomain.isEmpty, node.inputs.count == 2 else { return false }
        let producers = graph.producerIndex()
        let consumers = graph.consumerIndices()
        for side in 0..<2 {
            let value = node.inputs[side], other = node.inputs[1 - side]
            if side == 1 && (node.opType == "Sub" || node.opType == "Div") { continue }
            guard let producerIndex = producers[value], consumers[value]?.count == 1, !graph.outputNames.contains(value),
                  let constant = graph.constant(other), constant.dataType == .float else { continue }
            let producer = graph.nodes[producerIndex]
            guard producer.canonicalDomain.isEmpty, producer.opType == "Conv" || producer.opType == "Gemm",
                  producer.inputs.count >= 2, let weight = graph.constant(producer.inputs[1]), weight.dataType == .float else { continue }
            let isGemm = producer.opType == "Gemm"
            let transB = producer.int("transB", default: 0) != 0
            let channelAxisInWeight = isGemm ? (transB ? 0 : 1) : 0
            guard weight.rank >= 2 else { continue }
            let channels = weight.shape[channelAxisInWeight]
            let outputRank = isGemm ? 2 : weight.rank
            guard var values = perChannelValues(constant, channels: channels, outputRank: outputRank, channelAxis: 1) else { continue }
            // The result must keep the producer's output shape: the constant may not broadcast it further.
            guard constant.rank <= outputRank else { continue }
            var bias = Array(repeating: Float(0), count: channels)
            let hasBias = producer.inputs.count > 2 && !producer.inputs[2].isEmpty
            var updated = producer
            if hasBias {
                guard let biasTensor = graph.constant(producer.inputs[2]), biasTensor.dataType == .float else { continue }
                if isGemm {
                    guard let perChannel = perChannelValues(biasTensor, channels: channels, outputRank: 2, channelAxis: 1) else { continue }
                    let beta = producer.float("beta", default: 1)
                    bias = perChannel.map { $0 * beta }
                } else {
                    guard biasTensor.elementCount == channels, let perChannel = try? biasTensor.floatValues() else { continue }
                    bias = perChannel
                }
            }
            var weights = try weight.floatValues()
            switch node.opType {
            case "Add": for c in 0..<channels { bias[c] += values[c] }
            case "Sub": for c in 0..<channels { bias[c] -= values[c] }
            default:
                if node.opType == "Div" {
                    guard values.allSatisfy({ $0 != 0 && $0.isFinite }) else { continue }
                    values = values.map { 1 / $0 }
                }
                forEachChannel(&weights, shape: weight.shape, axis: channelAxisInWeight) { $1 *= values[$0] }
                for c in 0..<channels { bias[c] *= values[c] }
                let weightName = names.fresh(producer.inputs[1] + "_scaled")
                graph.initializers.append(try Tensor.float(weightName, shape: weight.shape, weights))
                updated.inputs[1] = weightName
            }
            let biasName = names.fresh((hasBias ? producer.inputs[2] : producer.outputs[0]) + "_folded_bias")
            graph.initializers.append(try Tensor.float(biasName, shape: [channels], bias))
            if updated.inputs.count > 2 { updated.inputs[2] = biasName } else { updated.inputs.append(biasName) }
            if isGemm { updated.setAttribute("beta", .float(1)) }
            updated.outputs[0] = node.outputs[0]
            graph.nodes[producerIndex] = updated
            graph.nodes.remove(at: index)
            return true
        }
        return false
    }
}
