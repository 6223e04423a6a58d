import ModelIR

/// Static int8 quantization in QDQ form: `QuantizeLinear → DequantizeLinear` pairs around the
/// activations of `Conv`, `Gemm` and `MatMul` (option `op_types`, with `exclude_op_types`,
/// `include_nodes`, `exclude_nodes`), int8 weights stored once behind a `DequantizeLinear`, and
/// int32 biases. The output layers (`OutputLayers`) stay float32 unless `quantize_output_layers=true`.
///
/// - Weights: symmetric int8 (zero point 0, ±127), per output channel (`per_channel=false` for per
///   tensor; per tensor anyway below opset 13, which lacks the `axis` of DequantizeLinear).
/// - Activations: asymmetric `activation_type=int8` (default) or `uint8`, with ranges from the
///   calibration table the manager gathered (`calibration_method=minmax|entropy|percentile`,
///   `percentile=99.999`). Each activation gets one Q/DQ pair whatever the number of readers;
///   with `quantize_outputs=true` (default) the outputs of quantized nodes get one too.
///   Values that only non-quantized nodes read (typically the logits) are always calibrated by MinMax.
/// - Bias: int32 with scale `input scale × weight scale`, when it is a 1-D constant and the node
///   has `alpha = 1`.
/// - Output pairs go after the `BatchNormalization`, `Relu`, `Clip` and `LeakyRelu` nodes that alone
///   read a quantized node's output (what an int8 runtime fuses into the node), not between them.
/// - Weight-only (`weight_only_op_types`, default `GRU`, `LSTM`, `RNN`, `Gather`): recurrent
///   layers' `W` and `R` weights are stored as int8 per gate row behind a `DequantizeLinear`;
///   embedding tables (a `Gather` of rows from a constant float matrix) as int8 with one scale per
///   row (`EmbeddingTables`). Their activations stay float.
/// - Weight `DequantizeLinear` nodes carry no zero point (0 is the default), so the file holds
///   only the int8 values and one scale per channel.
///
/// - Parts (`quantize_weights`, `quantize_activations`, both true by default): with one of them
///   false only the other part is quantized (weights alone, or activations alone, biases left in
///   float), the two halves of a node's sensitivity (`AccuracyDrivenQuantization`).
///
/// Needs opset 10 or later. Nodes whose activation was not calibrated are left in float32.
public struct StaticQuantization: GraphPass {
    public let name = "int8-static"
    let selection: NodeSelection
    let weightOnlyOpTypes: Set<String>
    let activationType: DataType
    let perChannel: Bool
    let quantizeOutputs: Bool
    let quantizeWeights: Bool
    let quantizeActivations: Bool
    public let calibrationRequest: CalibrationRequest

    public static let defaultOpTypes: Set<String> = ["Conv", "Gemm", "MatMul"]
    public static let defaultWeightOnlyOpTypes: Set<String> = ["GRU", "LSTM", "RNN", "Gather"]

    /// Ops an int8 runtime fuses into the quantized node before them.
    static let fusibleFollowers: Set<String> = ["BatchNormalization", "Relu", "Clip", "LeakyRelu"]

    public init(options: PassOptions) throws(PassError) {
        selection = try NodeSelection(options: options, defaultOpTypes: Self.defaultOpTypes, prefix: "")
        weightOnlyOpTypes = options.list("weight_only_op_types").map(Set.init) ?? Self.defaultWeightOnlyOpTypes
        activationType = try options.string("activation_type", default: "int8", allowed: ["int8", "uint8"]) == "uint8" ? .uint8 : .int8
        perChannel = try options.bool("per_channel", default: true)
        quantizeOutputs = try options.bool("quantize_outputs", default: true)
        quantizeWeights = try options.bool("quantize_weights", default: true)
        quantizeActivations = try options.bool("quantize_activations", default: true)
        guard quantizeWeights || quantizeActivations else {
            throw .invalidOption(key: "quantize_weights", value: "false", expected: "true when quantize_activations is false")
        }
        let method = try options.string("calibration_method", default: "minmax", allowed: Set(CalibrationMethod.allCases.map(\.rawValue)))
        let percentile = try options.double("percentile", default: 99.999)
        guard percentile > 0, percentile <= 100 else { throw .invalidOption(key: "percentile", value: String(percentile), expected: "a number in (0, 100]") }
        let selection = selection, quantizeOutputs = quantizeOutputs
        calibrationRequest = CalibrationRequest(method: CalibrationMethod(rawValue: method) ?? .minMax, percentile: percentile) { model in
            Self.activations(in: model, selection: selection.excludingOutputLayers(of: model.graph), quantizeOutputs: quantizeOutputs)
        }
    }

    /// The nodes a run with `table` quantizes: selected, with activation inputs that are all calibrated.
    func quantizableNodes(in graph: Graph, table: CalibrationTable) -> [Node] {
        let selection = selection.excludingOutputLayers(of: graph)
        return graph.nodes.filter { node in
            guard selection.selects(node) else { return false }
            let inputs = Self.activationInputs(of: node, in: graph)
            return !inputs.isEmpty && inputs.allSatisfy { table.range(of: node.inputs[$0], method: .minMax) != nil }
        }
    }

    /// The weight input of a selected node, with the axis of its output channels.
    static func weight(of node: Node, in graph: Graph) -> (index: Int, axis: Int)? {
        guard node.inputs.count >= 2, let weight = graph.constant(node.inputs[1]), weight.dataType == .float, weight.rank >= 1 else { return nil }
        switch node.opType {
        case "Conv": return weight.rank >= 3 ? (1, 0) : nil
        case "Gemm": return weight.rank == 2 ? (1, node.int("transB", default: 0) != 0 ? 0 : 1) : nil
        case "MatMul": return weight.rank >= 2 ? (1, weight.rank - 1) : nil
        default: return nil
        }
    }

    /// The activation inputs of a selected node: its non-constant float inputs among the data inputs.
    static func activationInputs(of node: Node, in graph: Graph) -> [Int] {
        let dataInputs = node.opType == "MatMul" ? [0, 1] : [0]
        return dataInputs.filter { $0 < node.inputs.count && !node.inputs[$0].isEmpty && graph.constant(node.inputs[$0]) == nil }
    }

    /// Every value the pass will give a Q/DQ pair, in graph order; `selection` is bound to the model's
    /// graph (`excludingOutputLayers(of:)`).
    static func activations(in model: Model, selection: NodeSelection, quantizeOutputs: Bool) -> [String] {
        let types = ValueTypes(inferring: model)
        let consumers = model.graph.consumerIndices()
        var seen: Set<String> = []
        var result: [String] = []
        for node in model.graph.nodes where selection.selects(node) {
            var names = activationInputs(of: node, in: model.graph).map { node.inputs[$0] }
            if quantizeOutputs, let output = node.outputs.first { names.append(fusedOutput(output, in: model.graph, consumers: consumers)) }
            for name in names where types.elementType(name) == .float && seen.insert(name).inserted { result.append(name) }
        }
        return result
    }

    /// The value that carries `output` past the chain of fusible followers that alone read it.
    static func fusedOutput(_ output: String, in graph: Graph, consumers: [String: [Int]]) -> String {
        let graphOutputs = graph.outputNames
        var value = output
        while !graphOutputs.contains(value), let readers = consumers[value], readers.count == 1 {
            let reader = graph.nodes[readers[0]]
            guard reader.canonicalDomain.isEmpty, fusibleFollowers.contains(reader.opType), reader.inputs.first == value,
                  reader.inputs.dropFirst().allSatisfy({ $0.isEmpty || graph.constant($0) != nil }),
                  reader.outputs.count == 1, !reader.outputs[0].isEmpty else { break }
            value = reader.outputs[0]
        }
        return value
    }

    /// True when `node` is one whose weights alone the pass quantizes (`weight_only_op_types`, not excluded by name).
    func isWeightOnly(_ node: Node) -> Bool {
        node.canonicalDomain.isEmpty && weightOnlyOpTypes.contains(node.opType) && !selection.excludeNodes.contains(node.name)
    }

    /// The weight inputs of a recurrent node the pass stores as int8 (`W` and `R`), with the
    /// axis of their gate rows.
    func recurrentWeights(of node: Node, in graph: Graph) -> [(index: Int, axis: Int)] {
        guard isWeightOnly(node) else { return [] }
        return [1, 2].filter { slot in
            guard slot < node.inputs.count, let weight = graph.constant(node.inputs[slot]) else { return false }
            return weight.dataType == .float && weight.rank == 3
        }.map { ($0, 1) }
    }

    /// Stores `weight` as symmetric int8 behind a `DequantizeLinear` (once per weight, through
    /// `cache`) and returns the dequantized value's name and the parameters.
    private func quantizeWeight(_ weight: Tensor, axis: Int?, graph: inout Graph, names: inout NameGenerator, nodes: inout [Node],
                                cache: inout [String: (output: String, parameters: QuantizationParameters)])
        throws -> (output: String, parameters: QuantizationParameters) {
        if let cached = cache[weight.name] { return cached }
        let values = try weight.floatValues()
        let parameters = QuantizationParameters.symmetricWeights(values, shape: weight.shape, axis: axis)
        let quantized = try Tensor(name: names.fresh(weight.name + "_quantized"),
                                   converting: parameters.quantize(values, shape: weight.shape, axis: axis), to: .int8, shape: weight.shape)
        let scale = try parameters.scaleTensor(names.fresh(weight.name + "_scale"), perAxis: axis != nil)
        graph.initializers.append(contentsOf: [quantized, scale])
        let output = names.fresh(weight.name + "_dequantized")
        nodes.append(.dequantizeLinear(names.fresh(weight.name + "_DequantizeLinear"), input: quantized.name, scale: scale.name,
                                       zeroPoint: nil, output: output, axis: axis))
        cache[weight.name] = (output, parameters)
        return (output, parameters)
    }

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let opset = Int(model.opsetVersion(for: "") ?? 1)
        guard opset >= 10 else {
            context.report(.warning, "quantization-skipped", "opset \(opset) has no QuantizeLinear; the model is left in float32",
                           hint: "convert the model to opset 13 or later")
            return false
        }
        guard let table = context.calibration else { throw PassError.missingCalibration(stage: name) }
        let perAxis = perChannel && opset >= 13
        if perChannel && !perAxis {
            context.report(.info, "per-tensor-weights", "opset \(opset) < 13: weights are quantized per tensor")
        }
        var graph = model.graph
        var names = NameGenerator(graph)
        let selection = selection.excludingOutputLayers(of: graph)
        let targets = quantizeActivations ? Self.activations(in: model, selection: selection, quantizeOutputs: quantizeOutputs) : []
        // Values no quantized node reads (the last layer's logits) keep their full range: clipping
        // them by entropy or percentile would change the decision, not the precision of later layers.
        let readByQuantized = Set(graph.nodes.filter(selection.selects).flatMap { node in
            Self.activationInputs(of: node, in: graph).map { node.inputs[$0] }
        })
        var activationParameters: [String: QuantizationParameters] = [:]
        for name in targets {
            guard let range = table.range(of: name, method: readByQuantized.contains(name) ? table.method : .minMax) else { continue }
            activationParameters[name] = .activation(lower: range.lower, upper: range.upper, dataType: activationType)
        }
        var weightCache: [String: (output: String, parameters: QuantizationParameters)] = [:]
        var newNodes: [Node] = []
        var quantizedCount = 0
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard selection.selects(node) else { continue }
            let inputs = Self.activationInputs(of: node, in: graph)
            guard !inputs.isEmpty, !quantizeActivations || inputs.allSatisfy({ activationParameters[node.inputs[$0]] != nil }) else {
                context.report(.info, "node-not-quantized", node: node, "an activation input was not calibrated; the node stays float32")
                continue
            }
            var updated = node
            var weightParameters: QuantizationParameters?
            if quantizeWeights, let (slot, axis) = Self.weight(of: node, in: graph), let weight = graph.constant(node.inputs[slot]) {
                let quantized = try quantizeWeight(weight, axis: perAxis ? axis : nil, graph: &graph, names: &names, nodes: &newNodes, cache: &weightCache)
                updated.inputs[slot] = quantized.output
                weightParameters = quantized.parameters
            }
            if quantizeActivations, let weightParameters, node.opType != "MatMul", node.inputs.count > 2, !node.inputs[2].isEmpty,
               node.float("alpha", default: 1) == 1, let bias = graph.constant(node.inputs[2]), bias.dataType == .float, bias.rank == 1,
               let inputScale = activationParameters[node.inputs[0]]?.scales.first {
                let beta = node.opType == "Gemm" ? node.float("beta", default: 1) : 1
                let values = try bias.floatValues().map { $0 * beta }
                let channels = values.count
                let weightScales = weightParameters.scales.count == channels ? weightParameters.scales
                    : Array(repeating: weightParameters.scales[0], count: channels)
                let scales = weightScales.map { $0 * inputScale }
                let biasParameters = QuantizationParameters(scales: scales, zeroPoints: Array(repeating: 0, count: channels), dataType: .int32)
                let quantized = try Tensor(name: names.fresh(bias.name + "_quantized"),
                                           converting: biasParameters.quantize(values, shape: [channels], axis: 0), to: .int32, shape: [channels])
                // Below opset 13 DequantizeLinear has no axis: the weights were quantized per
                // tensor, so every channel's bias scale is the same one scalar.
                let scale = perAxis ? try Tensor(name: names.fresh(bias.name + "_scale"), shape: [channels], scalars: scales)
                    : try Tensor(name: names.fresh(bias.name + "_scale"), shape: [], scalars: [scales[0]])
                graph.initializers.append(contentsOf: [quantized, scale])
                let output = names.fresh(bias.name + "_dequantized")
                newNodes.append(.dequantizeLinear(names.fresh(bias.name + "_DequantizeLinear"), input: quantized.name, scale: scale.name,
                                                  zeroPoint: nil, output: output, axis: perAxis ? 0 : nil))
                updated.inputs[2] = output
                if node.opType == "Gemm" { updated.setAttribute("beta", .float(1)) }
            }
            graph.nodes[index] = updated
            quantizedCount += 1
        }
        var weightOnlyCount = 0, embeddingCount = 0
        for index in graph.nodes.indices {
            if quantizeWeights, isWeightOnly(graph.nodes[index]),
               let replacement = try EmbeddingTables.quantizedGather(graph.nodes[index], graph: &graph, names: &names) {
                graph.nodes[index] = replacement[replacement.count - 1]
                newNodes += replacement.dropLast()
                embeddingCount += 1
                continue
            }
            let slots = quantizeWeights ? recurrentWeights(of: graph.nodes[index], in: graph) : []
            for (slot, axis) in slots {
                guard let weight = graph.constant(graph.nodes[index].inputs[slot]) else { continue }
                let quantized = try quantizeWeight(weight, axis: perAxis ? axis : nil, graph: &graph, names: &names, nodes: &newNodes, cache: &weightCache)
                graph.nodes[index].inputs[slot] = quantized.output
            }
            if !slots.isEmpty { weightOnlyCount += 1 }
        }
        // One Q/DQ pair per activation; every reader (not the graph outputs) reads the dequantized value.
        for name in targets {
            guard let parameters = activationParameters[name] else { continue }
            let scale = try parameters.scaleTensor(names.fresh(name + "_scale"), perAxis: false)
            let zeroPoint = try parameters.zeroPointTensor(names.fresh(name + "_zero_point"), perAxis: false)
            graph.initializers.append(contentsOf: [scale, zeroPoint])
            let quantized = names.fresh(name + "_quantized")
            let dequantized = names.fresh(name + "_dequantized")
            graph.replaceUses(of: name, with: dequantized)
            newNodes.append(.quantizeLinear(names.fresh(name + "_QuantizeLinear"), input: name, scale: scale.name,
                                            zeroPoint: zeroPoint.name, output: quantized))
            newNodes.append(.dequantizeLinear(names.fresh(name + "_DequantizeLinear"), input: quantized, scale: scale.name,
                                              zeroPoint: zeroPoint.name, output: dequantized, axis: nil))
        }
        graph.nodes.append(contentsOf: newNodes)
        guard quantizedCount + weightOnlyCount + embeddingCount > 0 else { return false }
        let recurrent = (weightOnlyCount > 0 ? ", \(weightOnlyCount) recurrent nodes with int8 weights only" : "")
            + (embeddingCount > 0 ? ", \(embeddingCount) embedding tables stored as int8" : "")
        context.report(.info, "quantized", "\(quantizedCount) nodes quantized\(recurrent), \(activationParameters.count) activations with Q/DQ pairs, "
                       + "\(weightCache.count) weights stored as int8 (\(table.method.rawValue) calibration over \(table.sampleCount) samples)")
        model.graph = graph
        return true
    }
}
