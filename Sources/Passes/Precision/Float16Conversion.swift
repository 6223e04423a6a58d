import GraphChecker
import ModelIR

/// Converts float32 compute and weights to float16, keeping the graph's inputs and outputs float32.
///
/// A node is converted unless its operator is on the block list (operators that overflow float16
/// or that need float32, configurable with `fp16_block_ops=Op,…` to replace the default list and
/// `fp16_block_ops_add=Op,…` to extend it), its name is in `fp16_block_nodes`, it has subgraphs or
/// it is outside the default domain. In a converted node, a float32 input or output becomes float16
/// when the operator's type constraint for it allows float16 and ties it to the other side (so
/// `Resize`'s float `scales` stay float32); `Cast(to: float)` becomes `Cast(to: float16)` and a
/// `ConstantOfShape` of a float value produces float16.
///
/// Float32 initializers read only in converted positions are stored as float16 (clamped to
/// ±65504, with a `fp16-clamped` finding; a tensor whose nonzero values would all round to zero
/// keeps them at ±2⁻²⁴, with a `fp16-raised` finding); others get a float16 copy. Values crossing between
/// float32 and float16 parts get one `Cast` each, however many readers they have; graph outputs
/// computed in float16 get a final `Cast` to float32 under their original name.
public struct Float16Conversion: GraphPass {
    public let name = "fp16"
    public var blockedOps: Set<String>
    public var blockedNodes: Set<String>

    /// Operators kept in float32 by default: reductions and exponentials that overflow float16's
    /// range (±65504), and operators whose outputs are indices or generated values.
    public static let defaultBlockList: Set<String> = [
        "Exp", "Pow", "Softplus", "ReduceSum", "ReduceSumSquare", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceProd",
        "CumSum", "Range", "TopK", "NonMaxSuppression", "RoiAlign", "RandomNormal", "RandomNormalLike", "RandomUniform",
        "RandomUniformLike", "Multinomial", "EyeLike",
    ]

    public static let float16Max: Float = 65504
    /// The smallest positive float16 value (a subnormal, 2⁻²⁴).
    public static let float16Smallest: Float = 0x1p-24

    public init(blockedOps: Set<String> = Float16Conversion.defaultBlockList, blockedNodes: Set<String> = []) {
        self.blockedOps = blockedOps
        self.blockedNodes = blockedNodes
    }

    public init(options: PassOptions) throws(PassError) {
        var ops = options.list("fp16_block_ops").map(Set.init) ?? Self.defaultBlockList
        ops.formUnion(options.list("fp16_block_ops_add") ?? [])
        self.init(blockedOps: ops, blockedNodes: Set(options.list("fp16_block_nodes") ?? []))
    }

    /// Which inputs and outputs of a node turn float16.
    struct Plan {
        var inputs: Set<Int> = []
        var outputs: Set<Int> = []
        var castToHalf = false
        /// A `ConstantOfShape` whose float `value` becomes float16.
        var halfConstant = false
        var converts: Bool { !inputs.isEmpty || !outputs.isEmpty || castToHalf || halfConstant }
    }

    func plan(_ node: Node, types: ValueTypes, opset: Int, registry: OpSchemaRegistry) -> Plan {
        var plan = Plan()
        guard node.canonicalDomain.isEmpty, node.subgraphs.isEmpty, !blockedOps.contains(node.opType),
              !blockedNodes.contains(node.name) else { return plan }
        if node.opType == "Cast" {
            if node.intAttribute("to") == Int64(DataType.float.rawValue) { plan.castToHalf = true }
            return plan
        }
        if node.opType == "ConstantOfShape" {
            if let attribute = node.attribute("value"), case .tensor(let value) = attribute.value, value.dataType == .float {
                plan.halfConstant = true
            }
            return plan
        }
        guard let schema = registry.schema(node.opType, domain: "", opsetVersion: opset) else { return plan }
        let inputConstraints = Set(schema.inputs.map(\.typeString))
        let outputConstraints = Set(schema.outputs.map(\.typeString))
        func allowsHalf(_ typeString: String) -> Bool {
            schema.typeConstraints[typeString]?.allowedTypes.contains("tensor(float16)") ?? false
        }
        for (index, name) in node.inputs.enumerated() where !name.isEmpty && types.elementType(name) == .float {
            guard let parameter = schema.inputParameter(at: index) else { continue }
            guard outputConstraints.contains(parameter.typeString) else { continue }
            guard allowsHalf(parameter.typeString) else { return Plan() }
            plan.inputs.insert(index)
        }
        // A value whose type inference does not know (an element of a sequence) shares a type
        // constraint with a float input, so it is float as well.
        let halfConstraints = Set(plan.inputs.compactMap { schema.inputParameter(at: $0)?.typeString })
        for (index, name) in node.inputs.enumerated() where !name.isEmpty && types.elementType(name) == nil {
            if let parameter = schema.inputParameter(at: index), halfConstraints.contains(parameter.typeString) { plan.inputs.insert(index) }
        }
        for (index, name) in node.outputs.enumerated() where !name.isEmpty && [.float, nil].contains(types.elementType(name)) {
            guard let parameter = schema.outputParameter(at: index), inputConstraints.contains(parameter.typeString),
                  allowsHalf(parameter.typeString) else { continue }
            if types.elementType(name) == nil && !halfConstraints.contains(parameter.typeString) { continue }
            plan.outputs.insert(index)
        }
        // An output tied to inputs turns float16 only if those inputs do.
        if plan.inputs.isEmpty { plan.outputs = [] }
        return plan
    }

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let types = ValueTypes(inferring: model)
        let opset = Int(model.opsetVersion(for: "") ?? 1)
        let registry = OpSchemaRegistry.standard
        var graph = model.graph
        let plans = graph.nodes.map { plan($0, types: types, opset: opset, registry: registry) }
        guard plans.contains(where: \.converts) else { return false }

        // Initializers: converted in place when every reader wants float16, else copied.
        var halfReads: [String: Int] = [:]
        var floatReads: Set<String> = Set(graph.outputs.map(\.name))
        for (node, plan) in zip(graph.nodes, plans) {
            for (index, name) in node.inputs.enumerated() where !name.isEmpty {
                if plan.inputs.contains(index) { halfReads[name, default: 0] += 1 } else { floatReads.insert(name) }
            }
            for subgraph in node.subgraphs { floatReads.formUnion(subgraph.referencedNames()) }
        }
        var names = NameGenerator(graph)
        var halfInitializers: [String: String] = [:]
        var newInitializers: [Tensor] = []
        for (position, tensor) in graph.initializers.enumerated() where tensor.dataType == .float && halfReads[tensor.name] != nil {
            guard graph.constant(tensor.name) != nil else { continue }
            let inPlace = !floatReads.contains(tensor.name)
            let halfName = inPlace ? tensor.name : names.fresh(tensor.name + "_fp16")
            let half = try toHalf(tensor, named: halfName, context: context)
            if inPlace { graph.initializers[position] = half } else { newInitializers.append(half) }
            halfInitializers[tensor.name] = halfName
        }
        graph.initializers.append(contentsOf: newInitializers)

        var current: [String: DataType] = [:]
        var halfCasts: [String: String] = [:]
        var floatCasts: [String: String] = [:]
        var nodes: [Node] = []
        func halfVersion(_ name: String) -> String {
            if current[name] == .float16 { return name }
            if let half = halfInitializers[name] { return half }
            if let cast = halfCasts[name] { return cast }
            let output = names.fresh(name + "_fp16")
            nodes.append(Node(name: names.fresh(name + "_to_fp16"), opType: "Cast", inputs: [name], outputs: [output],
                              attributes: [Attribute(name: "to", value: .int(Int64(DataType.float16.rawValue)))]))
            halfCasts[name] = output
            current[output] = .float16
            return output
        }
        func floatVersion(_ name: String) -> String {
            if let cast = floatCasts[name] { return cast }
            let output = names.fresh(name + "_fp32")
            nodes.append(Node(name: names.fresh(name + "_to_fp32"), opType: "Cast", inputs: [name], outputs: [output],
                              attributes: [Attribute(name: "to", value: .int(Int64(DataType.float.rawValue)))]))
            floatCasts[name] = output
            return output
        }
        for (original, plan) in zip(graph.nodes, plans) {
            var node = original
            if plan.converts {
                for index in plan.inputs.sorted() { node.inputs[index] = halfVersion(node.inputs[index]) }
                for index in plan.outputs { current[node.outputs[index]] = .float16 }
                if plan.halfConstant, let attribute = node.attribute("value"), case .tensor(let value) = attribute.value {
                    var half = try toHalf(value, named: value.name, context: context)
                    half.docString = value.docString
                    node.setAttribute("value", .tensor(half))
                    current[node.outputs[0]] = .float16
                }
                if plan.castToHalf {
                    node.setAttribute("to", .int(Int64(DataType.float16.rawValue)))
                    current[node.outputs[0]] = .float16
                }
            } else {
                for (index, name) in node.inputs.enumerated() where current[name] == .float16 {
                    node.inputs[index] = floatVersion(name)
                }
                for subgraph in original.subgraphs {
                    for name in subgraph.referencedNames() where current[name] == .float16 {
                        node.replaceUses(of: name, with: floatVersion(name))
                    }
                }
            }
            nodes.append(node)
        }
        graph.nodes = nodes
        for output in graph.outputs.map(\.name) where current[output] == .float16 {
            let halfName = names.fresh(output + "_fp16")
            for index in graph.nodes.indices {
                for (slot, name) in graph.nodes[index].outputs.enumerated() where name == output {
                    graph.nodes[index].outputs[slot] = halfName
                }
            }
            graph.replaceUses(of: output, with: halfName)
            if let cast = floatCasts[output] {
                graph.nodes.removeAll { $0.outputs.first == cast }
                graph.replaceUses(of: cast, with: output)
            }
            graph.nodes.append(Node(name: names.fresh(output + "_to_fp32"), opType: "Cast", inputs: [halfName], outputs: [output],
                                    attributes: [Attribute(name: "to", value: .int(Int64(DataType.float.rawValue)))]))
        }
        model.graph = graph
        return true
    }

    /// `tensor` as float16: values beyond ±65504 clamped to it, and a tensor whose nonzero values
    /// would all round to zero (an epsilon such as `F.normalize`'s 1e-12) keeps them nonzero at
    /// ±`float16Smallest`, so that a division by `max(norm, eps)` stays a division by a nonzero value.
    /// Both are reported as findings.
    private func toHalf(_ tensor: Tensor, named name: String, context: PassContext) throws -> Tensor {
        var values = try tensor.floatValues()
        var clamped = 0
        for index in values.indices where values[index].isFinite && abs(values[index]) > Self.float16Max {
            values[index] = values[index] < 0 ? -Self.float16Max : Self.float16Max
            clamped += 1
        }
        if clamped > 0 {
            context.report(.warning, "fp16-clamped",
                           "\(clamped) of \(values.count) values of '\(tensor.name)' exceed the float16 range and were clamped to ±65504",
                           hint: "block the reading node with fp16_block_nodes=NAME to keep it in float32")
        }
        if values.contains(where: { $0 != 0 }), values.allSatisfy({ $0 == 0 || abs($0) <= Self.float16Smallest / 2 }) {
            values = values.map { $0 == 0 ? 0 : $0 < 0 ? -Self.float16Smallest : Self.float16Smallest }
            context.report(.info, "fp16-raised",
                           "'\(tensor.name)' holds only values below float16's smallest (5.96e-8), which would round to zero; "
                           + "they are stored as ±5.96e-8",
                           hint: "block the reading node with fp16_block_nodes=NAME to keep it in float32")
        }
        return try Tensor(name: name, converting: values.map(Double.init), to: .float16, shape: tensor.shape)
    }
}
