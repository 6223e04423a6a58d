import GraphChecker
import ModelIR

/// Converts a model of the default ONNX domain from opset 7–12 to opset 13, as onnx's version
/// converter does, so that the int8 paths can quantize its weights per channel (DequantizeLinear's
/// `axis` is an opset-13 attribute) — the ONNX Model Zoo's classic CNNs are opset 7–9 exports.
///
/// Rewrites the operators whose inputs or meaning changed between the model's opset and 13, in the
/// main graph and in every subgraph: attributes that became inputs (Squeeze, Unsqueeze, ReduceSum
/// and Split `axes`/`split`; Slice `starts`/`ends`/`axes` and TopK `k` before 10; Clip `min`/`max`
/// and Pad `pads`/`value` before 11), Dropout's `ratio`/`is_test`, BatchNormalization's `spatial`,
/// `is_test` and `consumed_inputs` (before 9); Softmax, LogSoftmax and Hardmax before 13, which
/// flattened their input into two dimensions at `axis` (kept as one node when the axis is the last
/// one, else Flatten → the operator on the last axis → Reshape to the input's shape); Upsample
/// (removed) and Resize-10 become Resize-13 with `asymmetric` coordinates (`floor` for nearest),
/// Scatter becomes ScatterElements, and ImageScaler (removed in 10) becomes Mul and Add. Other
/// operators keep their nodes: their newer versions accept what the older ones did. The IR version
/// is raised to 7 (opset 13's) when lower.
///
/// Leaves the model unchanged, with a warning naming the node, when a node cannot be converted
/// (BatchNormalization with `spatial=0`, Scan before 9, an opset below 7); the quantization passes
/// then work at the model's own opset (per-tensor weights below 13).
public struct OpsetUpgrade: GraphPass {
    public let name = "opset-upgrade"
    /// The opset the model is converted to.
    public static let target: Int64 = 13
    /// The lowest opset converted (opset 7 dropped the broadcast attributes of the arithmetic operators).
    public static let oldest: Int64 = 7

    public init() {}

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        guard let version = model.opsetVersion(for: ""), version < Self.target,
              try context.options.bool("upgrade_opset", default: true) else { return false }
        guard version >= Self.oldest else {
            context.report(.warning, "opset-not-upgraded", "opset \(version) is older than \(Self.oldest); the model stays at opset \(version)",
                           hint: "export the model at opset 13 or later for per-channel int8 weights")
            return false
        }
        var converter = Converter(version: version, names: NameGenerator(model.graph), types: ValueTypes(inferring: model))
        var graph = model.graph
        do {
            try converter.convert(&graph, inMainGraph: true)
        } catch let failure as Unconvertible {
            context.report(.warning, "opset-not-upgraded", node: failure.node,
                           "\(failure.reason); the model stays at opset \(version)",
                           hint: "export the model at opset 13 or later for per-channel int8 weights")
            return false
        }
        var upgraded = model
        upgraded.graph = graph
        for index in upgraded.opsetImports.indices where Node.canonicalDomain(upgraded.opsetImports[index].domain).isEmpty {
            upgraded.opsetImports[index].version = Self.target
        }
        upgraded.irVersion = max(upgraded.irVersion, 7)
        if let error = GraphChecker(lint: false).check(upgraded).errors.first {
            context.report(.warning, "opset-not-upgraded", "at opset \(Self.target) \(error.node.map { "node '\($0)': " } ?? "")\(error.message); the model stays at opset \(version)",
                           hint: "export the model at opset 13 or later for per-channel int8 weights")
            return false
        }
        model = upgraded
        context.report(.info, "opset-upgraded", "converted from opset \(version) to \(Self.target) (\(converter.rewritten) nodes rewritten)")
        return true
    }
}

private struct Unconvertible: Error {
    let node: Node
    let reason: String
}

/// One model's conversion: fresh names for the constants it adds, and the main graph's value types.
private struct Converter {
    let version: Int64
    var names: NameGenerator
    let types: ValueTypes
    var rewritten = 0

    /// Converts every node of `graph` (and of its nodes' subgraphs) in place.
    mutating func convert(_ graph: inout Graph, inMainGraph: Bool) throws {
        var nodes: [Node] = []
        for var node in graph.nodes {
            for index in node.attributes.indices {
                switch node.attributes[index].value {
                case .graph(var subgraph):
                    try convert(&subgraph, inMainGraph: false)
                    node.attributes[index].value = .graph(subgraph)
                case .graphs(var subgraphs):
                    for g in subgraphs.indices { try convert(&subgraphs[g], inMainGraph: false) }
                    node.attributes[index].value = .graphs(subgraphs)
                default: break
                }
            }
            guard Node.canonicalDomain(node.domain).isEmpty else {
                nodes.append(node)
                continue
            }
            let replacement = try upgrade(node, in: &graph, inMainGraph: inMainGraph)
            if replacement != [node] { rewritten += 1 }
            nodes += replacement
        }
        graph.nodes = nodes
    }

    private mutating func upgrade(_ node: Node, in graph: inout Graph, inMainGraph: Bool) throws -> [Node] {
        var node = node
        switch node.opType {
        case "Squeeze", "Unsqueeze", "ReduceSum":
            moveToInput(&node, attribute: "axes", slot: 1, graph: &graph)
        case "Split":
            moveToInput(&node, attribute: "split", slot: 1, graph: &graph)
        case "Slice" where version < 10:
            let starts = node.intsAttribute("starts") ?? [], ends = node.intsAttribute("ends") ?? []
            let axes = node.intsAttribute("axes")
            for attribute in ["starts", "ends", "axes"] { node.removeAttribute(attribute) }
            node.inputs = [node.inputs[0], constant(int64s: starts, "starts", graph: &graph), constant(int64s: ends, "ends", graph: &graph)]
                + (axes.map { [constant(int64s: $0, "axes", graph: &graph)] } ?? [])
        case "TopK" where version < 10:
            let k = node.intAttribute("k") ?? 1
            node.removeAttribute("k")
            node.inputs = [node.inputs[0], constant(int64s: [k], "k", graph: &graph)]
        case "Clip" where version < 11:
            let lower = node.attribute("min")?.float, upper = node.attribute("max")?.float
            node.removeAttribute("min")
            node.removeAttribute("max")
            node.inputs = [node.inputs[0], lower.map { scalar(Double($0), like: node.inputs[0], "min", graph: &graph) } ?? "",
                           upper.map { scalar(Double($0), like: node.inputs[0], "max", graph: &graph) } ?? ""]
            while node.inputs.last == "" { node.inputs.removeLast() }
        case "Pad" where version < 11:
            let pads = node.intsAttribute("pads") ?? node.intsAttribute("paddings") ?? []
            let value = node.attribute("value")?.float ?? 0
            for attribute in ["pads", "paddings", "value"] { node.removeAttribute(attribute) }
            node.inputs = [node.inputs[0], constant(int64s: pads, "pads", graph: &graph),
                           scalar(Double(value), like: node.inputs[0], "value", graph: &graph)]
        case "Dropout" where version < 12:
            let ratio = node.attribute("ratio")?.float
            for attribute in ["ratio", "is_test", "consumed_inputs"] { node.removeAttribute(attribute) }
            if let ratio { node.inputs = [node.inputs[0], scalar(Double(ratio), like: nil, "ratio", graph: &graph)] }
        case "BatchNormalization" where version < 9:
            if node.intAttribute("spatial") == 0 {
                throw Unconvertible(node: node, reason: "BatchNormalization '\(node.label)' normalizes per element (spatial=0), which opset 9 removed")
            }
            for attribute in ["spatial", "is_test", "consumed_inputs"] { node.removeAttribute(attribute) }
        case "Softmax", "LogSoftmax", "Hardmax":
            return flattenedAtAxis(node, graph: &graph, inMainGraph: inMainGraph)
        case "Upsample":
            let mode = node.attribute("mode")?.string ?? "nearest"
            var scales = node.inputs.count > 1 ? node.inputs[1] : ""
            if let floats = node.attribute("scales")?.floats {
                scales = constant(floats: floats, "scales", graph: &graph)
            }
            node = resize(node, scales: scales, mode: mode)
        case "Resize" where version < 11:
            node = resize(node, scales: node.inputs.count > 1 ? node.inputs[1] : "", mode: node.attribute("mode")?.string ?? "nearest")
        case "Scatter":
            node.opType = "ScatterElements"
        case "ImageScaler":
            return imageScaler(node, graph: &graph)
        case "Scan" where version < 9:
            throw Unconvertible(node: node, reason: "Scan '\(node.label)' has a batch axis before opset 9")
        default:
            break
        }
        return [node]
    }

    /// Moves an integer-list attribute to input `slot` as an int64 constant (absent: no input).
    private mutating func moveToInput(_ node: inout Node, attribute: String, slot: Int, graph: inout Graph) {
        guard let values = node.intsAttribute(attribute) else { return }
        node.removeAttribute(attribute)
        while node.inputs.count < slot { node.inputs.append("") }
        node.inputs.insert(constant(int64s: values, attribute, graph: &graph), at: slot)
    }

    /// Softmax-1/11 normalized over all dimensions from `axis` on (default 1); 13 over `axis` alone.
    private mutating func flattenedAtAxis(_ node: Node, graph: inout Graph, inMainGraph: Bool) -> [Node] {
        var node = node
        let axis = node.intAttribute("axis") ?? 1
        let input = node.inputs[0]
        if axis == -1 || (inMainGraph && types.rank(input).map { axis == Int64($0 - 1) } == true) {
            node.setAttribute("axis", .int(-1))
            return [node]
        }
        let flat = names.fresh(input + "_flattened"), normalized = names.fresh(node.outputs[0] + "_flat"), shape = names.fresh(input + "_shape")
        let flatten = Node(name: names.fresh(node.label + "_flatten"), opType: "Flatten", inputs: [input], outputs: [flat],
                           attributes: [Attribute(name: "axis", value: .int(axis))])
        let shapeOf = Node(name: names.fresh(node.label + "_shape"), opType: "Shape", inputs: [input], outputs: [shape])
        node.inputs[0] = flat
        node.setAttribute("axis", .int(-1))
        let output = node.outputs[0]
        node.outputs[0] = normalized
        let reshape = Node(name: names.fresh(node.label + "_reshape"), opType: "Reshape", inputs: [normalized, shape], outputs: [output])
        return [flatten, shapeOf, node, reshape]
    }

    /// Upsample and Resize-10 as Resize-13: input, no roi, scales; the coordinates they used.
    private func resize(_ node: Node, scales: String, mode: String) -> Node {
        let linear = mode == "linear" || mode == "bilinear"
        var attributes = [Attribute(name: "mode", value: .string(Array((linear ? "linear" : "nearest").utf8))),
                          Attribute(name: "coordinate_transformation_mode", value: .string(Array("asymmetric".utf8)))]
        if !linear { attributes.append(Attribute(name: "nearest_mode", value: .string(Array("floor".utf8)))) }
        return Node(name: node.name, opType: "Resize", inputs: [node.inputs[0], "", scales], outputs: node.outputs, attributes: attributes,
                    docString: node.docString, metadata: node.metadata)
    }

    /// ImageScaler: `x * scale + bias[c]` over NCHW.
    private mutating func imageScaler(_ node: Node, graph: inout Graph) -> [Node] {
        let scale = node.attribute("scale")?.float ?? 1
        let bias = node.attribute("bias")?.floats ?? []
        let scaled = names.fresh(node.outputs[0] + "_scaled")
        let multiply = Node(name: names.fresh(node.label + "_scale"), opType: "Mul",
                            inputs: [node.inputs[0], scalar(Double(scale), like: nil, "scale", graph: &graph)], outputs: [scaled])
        let biasName = constant(floats: bias, shape: [1, bias.count, 1, 1], "bias", graph: &graph)
        let add = Node(name: names.fresh(node.label + "_bias"), opType: "Add", inputs: [scaled, biasName], outputs: node.outputs)
        return [multiply, add]
    }

    private mutating func constant(int64s values: [Int64], _ base: String, graph: inout Graph) -> String {
        let name = names.fresh(base)
        graph.initializers.append(try! Tensor(name: name, shape: [values.count], scalars: values))
        return name
    }

    private mutating func constant(floats values: [Float], shape: [Int]? = nil, _ base: String, graph: inout Graph) -> String {
        let name = names.fresh(base)
        graph.initializers.append(try! Tensor(name: name, shape: shape ?? [values.count], scalars: values))
        return name
    }

    /// A scalar constant `value` of the element type of `other` (float when unknown).
    private mutating func scalar(_ value: Double, like other: String?, _ base: String, graph: inout Graph) -> String {
        let name = names.fresh(base)
        let type = other.flatMap { types.elementType($0) ?? graph.initializers.first { $0.name == other }?.dataType } ?? .float
        graph.initializers.append((try? Tensor(name: name, converting: [value], to: type, shape: [])) ?? Tensor(name: name, scalar: Float(value)))
        return name
    }
}
