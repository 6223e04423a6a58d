import ModelIR

/// Folds an inference-mode `BatchNormalization` into the `Conv`, `ConvTranspose` or `Gemm` that
/// feeds it.
///
/// With `f = scale / sqrt(var + epsilon)`, the producer's weights are scaled by `f` along the output
/// channel and its bias becomes `(bias − mean)·f + B`. Requires: float32 constant weights, bias and
/// normalization parameters; the producer's output read only by the normalization; a Gemm bias
/// that is per output channel (or absent). The folded tensors get new names, so weights shared
/// with other nodes stay intact.
public struct BatchNormFolding: GraphPass {
    public let name = "batchnorm-folding"
    public init() {}

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        var names = NameGenerator(model.graph)
        return try model.graph.rewriteEachNode { index, graph in try fold(at: index, in: &graph, names: &names) }
    }

    private func fold(at index: Int, in graph: inout Graph, names: inout NameGenerator) throws -> Bool {
        let norm = graph.nodes[index]
        guard norm.isONNX("BatchNormalization"), norm.inputs.count == 5, node(norm, isTraining: false),
              norm.outputs.dropFirst().allSatisfy({ $0.isEmpty || !graph.referencedNames().contains($0) }),
              let producerIndex = graph.producerIndex()[norm.inputs[0]],
              graph.consumerIndices()[norm.inputs[0]]?.count == 1, !graph.outputNames.contains(norm.inputs[0]) else { return false }
        let producer = graph.nodes[producerIndex]
        guard ["Conv", "ConvTranspose", "Gemm"].contains(producer.opType), producer.canonicalDomain.isEmpty,
              producer.inputs.count >= 2, let weight = graph.constant(producer.inputs[1]), weight.dataType == .float,
              let scale = graph.floatConstant(norm.inputs[1]), let shift = graph.floatConstant(norm.inputs[2]),
              let mean = graph.floatConstant(norm.inputs[3]), let variance = graph.floatConstant(norm.inputs[4]) else { return false }
        let epsilon = norm.float("epsilon", default: 1e-5)
        let channels = scale.count
        guard shift.count == channels, mean.count == channels, variance.count == channels else { return false }
        let factor = (0..<channels).map { scale[$0] / (variance[$0] + epsilon).squareRoot() }

        var weights = try weight.floatValues()
        var bias: [Float]
        let hasBias = producer.inputs.count > 2 && !producer.inputs[2].isEmpty
        var updated = producer
        switch producer.opType {
        case "Conv":
            guard weight.rank >= 3, weight.shape[0] == channels else { return false }
            forEachChannel(&weights, shape: weight.shape, axis: 0) { $1 *= factor[$0] }
        case "ConvTranspose":
            let group = producer.int("group", default: 1)
            guard weight.rank >= 3, group >= 1, weight.shape[0] % group == 0, weight.shape[1] * group == channels else { return false }
            let perGroupIn = weight.shape[0] / group, perGroupOut = weight.shape[1]
            let inner = weight.shape[2...].reduce(1, *)
            for c in 0..<weight.shape[0] {
                for j in 0..<perGroupOut {
                    let f = factor[(c / perGroupIn) * perGroupOut + j]
                    let base = (c * perGroupOut + j) * inner
                    for k in 0..<inner { weights[base + k] *= f }
                }
            }
        default: // Gemm
            let transB = producer.int("transB", default: 0) != 0
            guard weight.rank == 2, weight.shape[transB ? 0 : 1] == channels else { return false }
            forEachChannel(&weights, shape: weight.shape, axis: transB ? 0 : 1) { $1 *= factor[$0] }
        }
        if hasBias {
            guard let biasTensor = graph.constant(producer.inputs[2]), biasTensor.dataType == .float else { return false }
            if producer.opType == "Gemm" {
                guard let values = perChannelValues(biasTensor, channels: channels, outputRank: 2, channelAxis: 1) else { return false }
                let beta = producer.float("beta", default: 1)
                bias = values.map { $0 * beta }
                updated.setAttribute("beta", .float(1))
            } else {
                guard biasTensor.elementCount == channels, let values = try? biasTensor.floatValues() else { return false }
                bias = values
            }
        } else {
            bias = Array(repeating: 0, count: channels)
        }
        for c in 0..<channels { bias[c] = (bias[c] - mean[c]) * factor[c] + shift[c] }

        let weightName = names.fresh(producer.inputs[1] + "_bn")
        let biasName = names.fresh((hasBias ? producer.inputs[2] : producer.outputs[0]) + "_bn_bias")
        graph.initializers.append(try Tensor.float(weightName, shape: weight.shape, weights))
        graph.initializers.append(try Tensor.float(biasName, shape: [channels], bias))
        updated.inputs[1] = weightName
        if updated.inputs.count > 2 { updated.inputs[2] = biasName } else { updated.inputs.append(biasName) }
        updated.outputs[0] = norm.outputs[0]
        graph.nodes[producerIndex] = updated
        graph.nodes.remove(at: index)
        return true
    }

    private func node(_ norm: Node, isTraining: Bool) -> Bool {
        (norm.int("training_mode", default: 0) != 0) == isTraining
    }
}
