import ModelIR

/// Replaces nodes whose inputs are all constant by initializers holding their outputs.
///
/// Folds only deterministic operators of the default domain without subgraphs, and only when every
/// output has at most `fold_max_elements` elements (option, default 1 Mi) — a `Tile` or `Expand`
/// of a small constant can be cheaper to compute than to store. `QuantizeLinear` feeding a
/// `DequantizeLinear` and `DequantizeLinear` of a constant are kept: they are how quantized weights
/// are stored. Needs a `ConstantEvaluator` in the context; without one it does nothing.
public struct ConstantFolding: GraphPass {
    public let name = "constant-folding"
    public init() {}

    static let nonFoldable: Set<String> = [
        "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli",
        "DequantizeLinear", "QuantizeLinear", "DynamicQuantizeLinear", "Constant", "If", "Loop", "Scan",
        "SequenceConstruct", "SequenceEmpty", "Optional",
    ]

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        guard let evaluator = context.constantEvaluator else { return false }
        let limit = try context.options.int("fold_max_elements", default: 1 << 20)
        let graphInputs = model.graph.inputNames
        var constants: [String: Tensor] = [:]
        for tensor in model.graph.initializers where !graphInputs.contains(tensor.name) { constants[tensor.name] = tensor }
        var folded: [Tensor] = []
        var kept: [Node] = []
        var changed = false
        for node in model.graph.nodes {
            guard node.canonicalDomain.isEmpty, !Self.nonFoldable.contains(node.opType), node.subgraphs.isEmpty,
                  !node.inputs.isEmpty, node.inputs.allSatisfy({ $0.isEmpty || constants[$0] != nil }),
                  !node.outputs.contains(where: { model.graph.outputNames.contains($0) }) else {
                kept.append(node)
                continue
            }
            let inputs = node.inputs.map { $0.isEmpty ? nil : constants[$0] }
            guard let outputs = try? evaluator.evaluate(node, inputs: inputs, opsetImports: model.opsetImports),
                  outputs.count >= node.outputs.filter({ !$0.isEmpty }).count,
                  outputs.allSatisfy({ $0.elementCount <= limit && $0.dataType != .string }) else {
                kept.append(node)
                continue
            }
            for (name, var tensor) in zip(node.outputs, outputs) where !name.isEmpty {
                tensor.name = name
                tensor.encoding = .rawData
                tensor.docString = ""
                constants[name] = tensor
                folded.append(tensor)
            }
            changed = true
        }
        guard changed else { return false }
        model.graph.nodes = kept
        model.graph.initializers.append(contentsOf: folded)
        return true
    }
}
