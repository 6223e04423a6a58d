import ModelIR

/// Dynamic int8 quantization with standard ONNX operators: weights stored as int8 (uint8 for
/// convolutions), activations quantized at run time by `DynamicQuantizeLinear`.
///
/// - `MatMul(A, W)` and `Gemm(A, W, C)` (transA = 0) with a constant W: `DynamicQuantizeLinear(A)`,
///   `MatMulInteger(A_q, W_q, A_zp)`, `Cast` to float, `Mul` by `A_scale × W_scale` (per output
///   column; Gemm's alpha folded in), then `Add` of `beta·C` for a Gemm with a constant C.
/// - `Conv(X, W, B)`: the same with `ConvInteger`; W is stored as uint8 with zero point 128 and
///   per-output-channel scales, as ONNX Runtime's ConvInteger takes a single zero point.
/// - `Gather` of rows from a constant float matrix (an embedding): the table as int8 with one scale
///   per row (`EmbeddingTables`).
/// - `LSTM`, `GRU`, `RNN`: weight-only — W and R stored as int8 behind a `DequantizeLinear`
///   (per output row from opset 13), since standard ONNX has no integer recurrent operators.
///
/// Selection by `dynamic_op_types`, `dynamic_exclude_op_types`, `dynamic_include_nodes`,
/// `dynamic_exclude_nodes`; the output layers (`OutputLayers`) stay float32 unless
/// `quantize_output_layers=true`. Needs opset 11 (DynamicQuantizeLinear).
public struct DynamicQuantization: GraphPass {
    public let name = "int8-dynamic"
    let selection: NodeSelection

    public static let defaultOpTypes: Set<String> = ["MatMul", "Gemm", "Conv", "Gather", "LSTM", "GRU", "RNN"]

    public init(options: PassOptions) throws(PassError) {
        selection = try NodeSelection(options: options, defaultOpTypes: Self.defaultOpTypes, prefix: "dynamic_")
    }

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let opset = Int(model.opsetVersion(for: "") ?? 1)
        guard opset >= 11 else {
            context.report(.warning, "quantization-skipped", "opset \(opset) has no DynamicQuantizeLinear; the model is left in float32",
                           hint: "convert the model to opset 13 or later")
            return false
        }
        let types = ValueTypes(inferring: model)
        var graph = model.graph
        var names = NameGenerator(graph)
        let selection = selection.excludingOutputLayers(of: graph)
        var quantizedActivations: [String: ActivationQuantization] = [:]
        var rewritten: [Node] = []
        var count = 0
        for node in graph.nodes {
            guard selection.selects(node), node.inputs.count >= 2, types.elementType(node.inputs[0]) == .float else {
                rewritten.append(node)
                continue
            }
            switch node.opType {
            case "MatMul", "Gemm":
                guard try quantizeMatMul(node, graph: &graph, names: &names, types: types, cache: &quantizedActivations, into: &rewritten) else {
                    rewritten.append(node)
                    continue
                }
            case "Gather":
                guard let replacement = try EmbeddingTables.quantizedGather(node, graph: &graph, names: &names) else {
                    rewritten.append(node)
                    continue
                }
                rewritten += replacement
            case "Conv":
                guard try quantizeConv(node, graph: &graph, names: &names, cache: &quantizedActivations, into: &rewritten) else {
                    rewritten.append(node)
                    continue
                }
            default:
                var updated = node
                var changedWeights = false
                for slot in [1, 2] where slot < node.inputs.count {
                    guard let weight = graph.constant(node.inputs[slot]), weight.dataType == .float, weight.rank == 3 else { continue }
                    let axis: Int? = opset >= 13 ? 1 : nil
                    updated.inputs[slot] = try weightOnly(weight, axis: axis, graph: &graph, names: &names, into: &rewritten)
                    changedWeights = true
                }
                rewritten.append(updated)
                if !changedWeights { continue }
            }
            count += 1
        }
        guard count > 0 else { return false }
        graph.nodes = rewritten
        model.graph = graph
        context.report(.info, "quantized", "\(count) nodes quantized dynamically")
        return true
    }

    private func quantizeMatMul(_ node: Node, graph: inout Graph, names: inout NameGenerator, types: ValueTypes,
                                cache: inout [String: ActivationQuantization], into nodes: inout [Node]) throws -> Bool {
        guard let weight = graph.constant(node.inputs[1]), weight.dataType == .float, weight.rank == 2 else { return false }
        var values = try weight.floatValues()
        var shape = weight.shape
        var alpha: Float = 1
        var addend: Tensor?
        if node.opType == "Gemm" {
            guard node.int("transA", default: 0) == 0 else { return false }
            if node.int("transB", default: 0) != 0 {
                let (n, k) = (shape[0], shape[1])
                var transposed = [Float](repeating: 0, count: values.count)
                for row in 0..<n { for column in 0..<k { transposed[column * n + row] = values[row * k + column] } }
                values = transposed
                shape = [k, n]
            }
            alpha = node.float("alpha", default: 1)
            if node.inputs.count > 2, !node.inputs[2].isEmpty {
                guard let bias = graph.constant(node.inputs[2]), bias.dataType == .float else { return false }
                let beta = node.float("beta", default: 1)
                addend = try bias.asFloat(named: names.fresh(bias.name + "_scaled"), values: try bias.floatValues().map { $0 * beta })
            }
        }
        let parameters = QuantizationParameters.symmetricWeights(values, shape: shape, axis: 1)
        let quantized = try Tensor(name: names.fresh(weight.name + "_quantized"),
                                   converting: parameters.quantize(values, shape: shape, axis: 1), to: .int8, shape: shape)
        let weightScale = try Tensor(name: names.fresh(weight.name + "_scale"), shape: [shape[1]], scalars: parameters.scales.map { $0 * alpha })
        let weightZero = try Tensor(name: names.fresh(weight.name + "_zero_point"), converting: [0], to: .int8, shape: [])
        graph.initializers.append(contentsOf: [quantized, weightScale, weightZero])
        let activation = quantizeActivation(node.inputs[0], cache: &cache, names: &names, into: &nodes)
        if let addend { graph.initializers.append(addend) }
        appendIntegerProduct("MatMulInteger", of: node, activation: activation, weight: quantized.name, weightScale: weightScale.name,
                             weightZero: weightZero.name, bias: addend?.name, names: &names, into: &nodes)
        return true
    }

    private func quantizeConv(_ node: Node, graph: inout Graph, names: inout NameGenerator,
                              cache: inout [String: ActivationQuantization], into nodes: inout [Node]) throws -> Bool {
        guard let weight = graph.constant(node.inputs[1]), weight.dataType == .float, weight.rank >= 3 else { return false }
        var bias: Tensor?
        if node.inputs.count > 2, !node.inputs[2].isEmpty {
            guard let tensor = graph.constant(node.inputs[2]), tensor.dataType == .float, tensor.rank == 1 else { return false }
            bias = tensor
        }
        let values = try weight.floatValues()
        let channels = weight.shape[0]
        let symmetric = QuantizationParameters.symmetricWeights(values, shape: weight.shape, axis: 0)
        let parameters = QuantizationParameters(scales: symmetric.scales, zeroPoints: Array(repeating: 128, count: channels), dataType: .uint8)
        let broadcast = [channels] + Array(repeating: 1, count: weight.rank - 2)
        let quantized = try Tensor(name: names.fresh(weight.name + "_quantized"),
                                   converting: parameters.quantize(values, shape: weight.shape, axis: 0), to: .uint8, shape: weight.shape)
        let weightScale = try Tensor(name: names.fresh(weight.name + "_scale"), shape: broadcast, scalars: parameters.scales)
        let weightZero = try Tensor(name: names.fresh(weight.name + "_zero_point"), converting: [128], to: .uint8, shape: [])
        graph.initializers.append(contentsOf: [quantized, weightScale, weightZero])
        let activation = quantizeActivation(node.inputs[0], cache: &cache, names: &names, into: &nodes)
        let broadcastBias = try bias.map { bias in
            var reshaped = try bias.reshaped(to: broadcast)
            reshaped.name = names.fresh(bias.name + "_broadcast")
            return reshaped
        }
        if let broadcastBias { graph.initializers.append(broadcastBias) }
        appendIntegerProduct("ConvInteger", of: node, activation: activation, weight: quantized.name, weightScale: weightScale.name,
                             weightZero: weightZero.name, bias: broadcastBias?.name, names: &names, into: &nodes)
        return true
    }

    private func weightOnly(_ weight: Tensor, axis: Int?, graph: inout Graph, names: inout NameGenerator, into nodes: inout [Node]) throws -> String {
        let values = try weight.floatValues()
        let parameters = QuantizationParameters.symmetricWeights(values, shape: weight.shape, axis: axis)
        let quantized = try Tensor(name: names.fresh(weight.name + "_quantized"),
                                   converting: parameters.quantize(values, shape: weight.shape, axis: axis), to: .int8, shape: weight.shape)
        let scale = try parameters.scaleTensor(names.fresh(weight.name + "_scale"), perAxis: axis != nil)
        let zeroPoint = try parameters.zeroPointTensor(names.fresh(weight.name + "_zero_point"), perAxis: axis != nil)
        graph.initializers.append(contentsOf: [quantized, scale, zeroPoint])
        let output = names.fresh(weight.name + "_dequantized")
        nodes.append(.dequantizeLinear(names.fresh(weight.name + "_DequantizeLinear"), input: quantized.name, scale: scale.name,
                                       zeroPoint: zeroPoint.name, output: output, axis: axis))
        return output
    }

    typealias ActivationQuantization = (q: String, scale: String, zeroPoint: String)

    /// One `DynamicQuantizeLinear` per activation, however many nodes read it.
    private func quantizeActivation(_ name: String, cache: inout [String: ActivationQuantization], names: inout NameGenerator,
                                    into nodes: inout [Node]) -> ActivationQuantization {
        if let cached = cache[name] { return cached }
        let outputs = (names.fresh(name + "_quantized"), names.fresh(name + "_scale"), names.fresh(name + "_zero_point"))
        nodes.append(Node(name: names.fresh(name + "_DynamicQuantizeLinear"), opType: "DynamicQuantizeLinear",
                          inputs: [name], outputs: [outputs.0, outputs.1, outputs.2]))
        cache[name] = outputs
        return outputs
    }

    /// Appends `integerOp` (MatMulInteger or ConvInteger, with `node`'s attributes) on the quantized
    /// activation and weight, and the float epilogue that writes `node`'s output:
    /// `Cast(product) · (activation scale · weight scale) + bias`.
    private func appendIntegerProduct(_ integerOp: String, of node: Node, activation: ActivationQuantization, weight: String,
                                      weightScale: String, weightZero: String, bias: String?,
                                      names: inout NameGenerator, into nodes: inout [Node]) {
        let base = node.outputs[0]
        let integer = names.fresh(base + "_int32"), asFloat = names.fresh(base + "_float"), scale = names.fresh(base + "_output_scale")
        nodes.append(Node(name: names.fresh(base + "_" + integerOp), opType: integerOp,
                          inputs: [activation.q, weight, activation.zeroPoint, weightZero], outputs: [integer],
                          attributes: integerOp == "ConvInteger" ? node.attributes : []))
        nodes.append(castToFloat(integer, output: asFloat, names: &names))
        nodes.append(Node(name: names.fresh(base + "_scale_Mul"), opType: "Mul", inputs: [activation.scale, weightScale], outputs: [scale]))
        if let bias {
            let scaled = names.fresh(base + "_scaled")
            nodes.append(Node(name: names.fresh(base + "_Mul"), opType: "Mul", inputs: [asFloat, scale], outputs: [scaled]))
            nodes.append(Node(name: names.fresh(base + "_bias_Add"), opType: "Add", inputs: [scaled, bias], outputs: [base]))
        } else {
            nodes.append(Node(name: names.fresh(base + "_Mul"), opType: "Mul", inputs: [asFloat, scale], outputs: [base]))
        }
    }

    private func castToFloat(_ input: String, output: String, names: inout NameGenerator) -> Node {
        Node(name: names.fresh(output + "_Cast"), opType: "Cast", inputs: [input], outputs: [output],
             attributes: [Attribute(name: "to", value: .int(Int64(DataType.float.rawValue)))])
    }
}
