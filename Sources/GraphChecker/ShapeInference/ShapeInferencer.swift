import ModelIR

/// Strict type and shape inference, as `onnx.shape_inference.infer_shapes(check_type=True,
/// strict_mode=True)` runs it inside `check_model(full_check=True)`.
///
/// Nodes are visited in graph order. Each node's input types are checked against its schema's type
/// constraints; output types come from an op rule (`InferenceRules`) or, failing one, from the type
/// constraints alone, with unknown shapes. An inferred type that contradicts a declared one
/// (`value_info` or a graph output) is an error. Where no rule applies the result is unknown, never
/// an error. Subgraphs see the enclosing graphs' values (lexical scoping).
struct ShapeInferencer {
    let registry: OpSchemaRegistry
    let sink: FindingSink
    /// Imported version per canonical domain.
    let opsets: [String: Int]
    /// Model-local functions by `domain::name`.
    let functions: [String: Function]
    /// From IR version 4 an initializer that is also a graph input is only a default value, so its
    /// data is not used for inference; before, initializers always are graph inputs and constant.
    let irVersion: Int64
    /// How many model-local function calls deep this inferencer is (calls nest at most `maxCallDepth`).
    var callDepth = 0
    static let maxCallDepth = 8

    /// Types and constant values visible in one graph, with the enclosing graph's as fallback.
    final class Environment {
        let parent: Environment?
        var types: [String: ValueType] = [:]
        var constants: [String: Tensor] = [:]

        init(parent: Environment?) { self.parent = parent }

        func type(of name: String) -> ValueType? { types[name] ?? parent?.type(of: name) }
        func constant(_ name: String) -> Tensor? { constants[name] ?? parent?.constant(name) }
        func defines(_ name: String) -> Bool { types[name] != nil || (parent?.defines(name) ?? false) }
    }

    /// Infers the types of `graph`, filling its `valueInfo` with every inferred intermediate value
    /// and refining the declared types of its outputs.
    /// - Parameters:
    ///   - boundInputs: types the enclosing node gives the subgraph's inputs, by position.
    ///   - owner: the node whose attribute holds `graph`, for messages.
    /// - Returns: the types of the graph's outputs (nil where unknown).
    @discardableResult
    func infer(_ graph: inout Graph, parent: Environment?, boundInputs: [ValueType?] = [], owner: Node? = nil) -> [ValueType?] {
        let environment = Environment(parent: parent)
        var defined: Set<String> = []
        for (index, input) in graph.inputs.enumerated() {
            var type = input.type?.type
            if index < boundInputs.count, let bound = boundInputs[index] {
                do {
                    type = try merge(inferred: bound, declared: type)
                } catch {
                    let prefix = owner.map { "node '\($0.label)' (\($0.opType)): " } ?? ""
                    sink.error(error.code, "\(prefix)subgraph '\(graph.name)' input '\(input.name)': the node gives \(bound), which does not fit: \(error.message)",
                               node: owner, hint: "make the subgraph input's declared type match what the node passes in")
                }
            }
            if let type { environment.types[input.name] = type }
            defined.insert(input.name)
        }
        let inputNames = Set(graph.inputs.map(\.name))
        for tensor in graph.initializers {
            let type = ValueType.tensor(elementType: tensor.dataType, shape: TensorShape(fixed: tensor.shape))
            if !inputNames.contains(tensor.name) {
                environment.types[tensor.name] = type
            } else if let declared = environment.types[tensor.name] {
                do {
                    environment.types[tensor.name] = try merge(inferred: type, declared: declared)
                } catch {
                    sink.error(error.code, "initializer '\(tensor.name)' (\(type)) does not match its graph input declaration: \(error.message)",
                               hint: "declare the graph input '\(tensor.name)' with the initializer's type and shape")
                }
            }
            if !inputNames.contains(tensor.name) || irVersion < 4 {
                environment.constants[tensor.name] = tensor
            }
            defined.insert(tensor.name)
        }
        for sparse in graph.sparseInitializers where !inputNames.contains(sparse.name) {
            environment.types[sparse.name] = .sparseTensor(elementType: sparse.values.dataType, shape: TensorShape(fixed: sparse.shape))
            defined.insert(sparse.name)
        }
        var declared: [String: ValueType] = [:]
        for value in graph.valueInfo { if let type = value.type?.type { declared[value.name] = type } }
        for value in graph.outputs { if let type = value.type?.type { declared[value.name] = type } }

        var inferredOrder: [String] = []
        for index in graph.nodes.indices {
            let outputs = inferNode(&graph.nodes[index], environment: environment)
            let node = graph.nodes[index]
            for (position, name) in node.outputs.enumerated() where !name.isEmpty {
                let inferred = position < outputs.count ? outputs[position] : nil
                var result = inferred
                if let existing = declared[name] {
                    do {
                        result = try merge(inferred: inferred, declared: existing)
                    } catch {
                        sink.error(error.code, "node '\(node.label)' (\(node.opType)): output '\(name)': \(error.message)", node: node,
                                   hint: "fix the declared type of '\(name)' (value_info or graph output) or the node's inputs")
                        result = existing
                    }
                }
                if let result {
                    environment.types[name] = result
                    inferredOrder.append(name)
                }
                defined.insert(name)
                if node.opType == "Constant", node.canonicalDomain == "", let value = Self.constantValue(of: node) {
                    environment.constants[name] = value
                }
            }
        }
        for output in graph.outputs where !defined.contains(output.name) && !(parent?.defines(output.name) ?? false) {
            sink.error(FindingCode.undefinedGraphOutput, "graph output '\(output.name)' is not produced by any node, graph input or initializer",
                       hint: "connect the output to a node's output or remove it")
        }
        // Record what was learned, keeping declared entries first and in their order.
        let outputNames = Set(graph.outputs.map(\.name))
        var known = Set(graph.valueInfo.map(\.name))
        for index in graph.valueInfo.indices {
            if let type = environment.types[graph.valueInfo[index].name] {
                graph.valueInfo[index].type = TypeInfo(type, denotation: graph.valueInfo[index].type?.denotation)
            }
        }
        for name in inferredOrder where !outputNames.contains(name) && !inputNames.contains(name) && known.insert(name).inserted {
            if let type = environment.types[name] { graph.valueInfo.append(ValueInfo(name: name, type: TypeInfo(type))) }
        }
        for index in graph.outputs.indices {
            if let type = environment.type(of: graph.outputs[index].name) {
                graph.outputs[index].type = TypeInfo(type, denotation: graph.outputs[index].type?.denotation)
            }
        }
        return graph.outputs.map { $0.type?.type }
    }

    // MARK: Nodes

    /// Checks one node's input types and returns its output types (nil where unknown).
    private func inferNode(_ node: inout Node, environment: Environment) -> [ValueType?] {
        let unknown = [ValueType?](repeating: nil, count: node.outputs.count)
        let inputs = node.inputs.map { $0.isEmpty ? nil : environment.type(of: $0) }
        if let function = functions["\(node.domain)::\(node.opType)"] {
            return inferCall(of: function, by: node, inputs: inputs)
        }
        guard let version = opsets[node.domain] else { return unknown }
        guard let schema = registry.schema(node.opType, domain: node.domain, opsetVersion: version),
              !schema.isDeprecated else {
            inferSubgraphs(of: &node, environment: environment, inputs: inputs)
            return unknown
        }
        guard let bindings = checkTypeConstraints(node, schema: schema, inputs: inputs) else { return unknown }
        let subgraphOutputs = inferSubgraphs(of: &node, environment: environment, inputs: inputs, sinceVersion: schema.sinceVersion)
        guard schema.hasInferenceFunction || schema.hasFunctionBody else { return unknown }
        let context = InferenceContext(node: node, schema: schema, opset: version, inputs: inputs,
                                       constants: node.inputs.map { $0.isEmpty ? nil : environment.constant($0) },
                                       subgraphOutputs: subgraphOutputs)
        var ruled: [InferredOutput]? = nil
        do {
            ruled = try InferenceRules.infer(context)
        } catch {
            sink.error(error.code, "node '\(node.label)' (\(node.opType)): \(error.message)", node: node)
            return unknown
        }
        var results: [ValueType?] = []
        for index in node.outputs.indices {
            var elementType: ValueType? = nil
            if let parameter = schema.outputParameter(at: index), parameter.isHomogeneous {
                if let literal = ValueType(typeString: parameter.typeString) {
                    elementType = literal
                } else if let bound = bindings[parameter.typeString] {
                    elementType = bound
                } else if let allowed = schema.typeConstraints[parameter.typeString]?.allowedTypes, allowed.count == 1,
                          let only = allowed.first.flatMap(ValueType.init(typeString:)) {
                    elementType = only
                }
            }
            let rule = ruled.flatMap { index < $0.count ? $0[index] : nil }
            if let full = rule?.type {
                results.append(full)
            } else if let shape = rule?.shape, let type = rule?.elementType ?? elementType?.elementType {
                results.append(.tensor(elementType: type, shape: shape))
            } else if let type = rule?.elementType {
                results.append(.tensor(elementType: type, shape: nil))
            } else {
                results.append(elementType)
            }
        }
        return checkOutputTypes(node, schema: schema, inputs: inputs, outputs: results) ? results : unknown
    }

    /// The output types of a call to a model-local function: its body inferred with the caller's
    /// input types and attributes. Inference errors inside the body are reported on the calling
    /// node, as ONNX's strict mode reports them.
    private func inferCall(of function: Function, by node: Node, inputs: [ValueType?]) -> [ValueType?] {
        let unknown = [ValueType?](repeating: nil, count: node.outputs.count)
        guard callDepth < Self.maxCallDepth else { return unknown }
        let functionOpsets = OpsetImport.versions(function.opsetImports, over: opsets)
        let bodySink = FindingSink()
        var inner = ShapeInferencer(registry: registry, sink: bodySink, opsets: functionOpsets, functions: functions, irVersion: irVersion)
        inner.callDepth = callDepth + 1
        var body = Graph(name: function.name,
                         nodes: function.boundBody(for: node),
                         inputs: function.inputs.enumerated().map { index, name in
                             ValueInfo(name: name, type: index < inputs.count ? inputs[index].map { TypeInfo($0) } : nil)
                         },
                         outputs: function.outputs.map { ValueInfo(name: $0) })
        let outputs = inner.infer(&body, parent: nil)
        for finding in bodySink.findings where finding.level == .error {
            sink.error(finding.code, "node '\(node.label)' (\(node.opType)): in the body of function '\(function.name)': \(finding.message)", node: node,
                       hint: finding.hint)
        }
        if bodySink.hasErrors { return unknown }
        return node.outputs.indices.map { $0 < outputs.count ? outputs[$0] : nil }
    }

    /// The output half of `OpSchema::CheckInputOutputType`: an inferred output must be allowed by its
    /// parameter and agree with the inputs bound to the same type variable.
    private func checkOutputTypes(_ node: Node, schema: OpSchema, inputs: [ValueType?], outputs: [ValueType?]) -> Bool {
        var bound: [String: String] = [:]
        for (index, type) in inputs.enumerated() {
            guard let parameter = schema.inputParameter(at: index), parameter.isHomogeneous, let string = type?.typeString else { continue }
            bound[parameter.typeString] = bound[parameter.typeString] ?? string
        }
        for (index, type) in outputs.enumerated() {
            guard let parameter = schema.outputParameter(at: index), parameter.isHomogeneous,
                  let type, case .tensor(let element, _) = type, element != .undefined, let string = type.typeString else { continue }
            if let previous = bound[parameter.typeString], previous != string {
                sink.error(FindingCode.typeConstraint,
                           "node '\(node.label)' (\(node.opType)): output '\(node.outputs[index])' (\(parameter.name)) is \(string) but \(parameter.typeString) is bound to \(previous)",
                           node: node)
                return false
            }
            bound[parameter.typeString] = string
        }
        return true
    }

    /// `OpSchema::CheckInputOutputType`: every known input type is allowed by its parameter, and the
    /// inputs of one homogeneous type variable agree. Returns the variables' bindings, or nil after an error.
    private func checkTypeConstraints(_ node: Node, schema: OpSchema, inputs: [ValueType?]) -> [String: ValueType]? {
        var bindings: [String: ValueType] = [:]
        var bindingStrings: [String: String] = [:]
        for (index, type) in inputs.enumerated() {
            guard let type, let parameter = schema.inputParameter(at: index) else { continue }
            if case .tensor(.undefined, _) = type {
                sink.error(FindingCode.typeConstraint, "node '\(node.label)' (\(node.opType)): input \(index) '\(node.inputs[index])' has an unknown element type",
                           node: node, hint: "declare the element type of '\(node.inputs[index])'")
                return nil
            }
            guard let string = type.typeString else { continue }
            if case .map = type { continue }
            let allowed = schema.typeConstraints[parameter.typeString]?.allowedTypes ?? [parameter.typeString]
            if !allowed.contains(string) {
                sink.error(FindingCode.typeConstraint,
                           "node '\(node.label)' (\(node.opType)-\(schema.sinceVersion)): input '\(node.inputs[index])' (\(parameter.name)) has type \(string), which \(parameter.typeString) does not allow",
                           node: node, hint: "allowed: " + allowed.sorted().joined(separator: ", "))
                return nil
            }
            guard parameter.isHomogeneous else { continue }
            if let previous = bindingStrings[parameter.typeString], previous != string {
                sink.error(FindingCode.typeConstraint,
                           "node '\(node.label)' (\(node.opType)): type variable \(parameter.typeString) is bound to both \(previous) and \(string) (input '\(node.inputs[index])')",
                           node: node, hint: "cast the inputs to one type")
                return nil
            }
            bindingStrings[parameter.typeString] = string
            if bindings[parameter.typeString] == nil, let parsed = ValueType(typeString: string) {
                bindings[parameter.typeString] = parsed
            }
        }
        return bindings
    }

    /// Infers the node's subgraphs with the node's scope as their parent; returns each GRAPH
    /// attribute's output types by attribute name.
    @discardableResult
    private func inferSubgraphs(of node: inout Node, environment: Environment, inputs: [ValueType?], sinceVersion: Int = 0) -> [String: [ValueType?]] {
        var outputs: [String: [ValueType?]] = [:]
        for index in node.attributes.indices {
            switch node.attributes[index].value {
            case .graph(var graph):
                let bound = Self.boundSubgraphInputs(node, attribute: node.attributes[index].name, inputs: inputs, sinceVersion: sinceVersion)
                outputs[node.attributes[index].name] = infer(&graph, parent: environment, boundInputs: bound, owner: node)
                node.attributes[index].value = .graph(graph)
            case .graphs(var graphs):
                for position in graphs.indices { infer(&graphs[position], parent: environment) }
                node.attributes[index].value = .graphs(graphs)
            default:
                continue
            }
        }
        return outputs
    }

    /// The types ONNX gives a control-flow body's inputs: Loop's iteration count, condition and
    /// carried values; Scan's states and scan slices; SequenceMap's sequence elements.
    /// Shapes are left out: carried values may change shape from one iteration to the next, and
    /// exporters declare Loop's iteration count as `[]` or `[1]` (onnx's inference gives it no shape).
    private static func boundSubgraphInputs(_ node: Node, attribute: String, inputs: [ValueType?], sinceVersion: Int) -> [ValueType?] {
        guard node.canonicalDomain == "", attribute == "body" else { return [] }
        switch node.opType {
        case "Loop":
            let carried = inputs.dropFirst(2).map { $0.map(Self.withoutShape) }
            return [.tensor(elementType: .int64, shape: nil), .tensor(elementType: .bool, shape: nil)] + carried
        case "Scan" where sinceVersion >= 9:
            return inputs.map { $0.map(Self.withoutShape) }
        case "SequenceMap":
            return inputs.map { type in
                if case .sequence(let element)? = type { return element.map(Self.withoutShape) }
                return type.map(Self.withoutShape)
            }
        default:
            return []
        }
    }

    /// `type` with tensor shapes dropped (element types kept).
    static func withoutShape(_ type: ValueType) -> ValueType {
        switch type {
        case .tensor(let element, _): .tensor(elementType: element, shape: nil)
        case .sparseTensor(let element, _): .sparseTensor(elementType: element, shape: nil)
        case .sequence(let element): .sequence(element.map(withoutShape))
        case .optional(let element): .optional(element.map(withoutShape))
        default: type
        }
    }

    /// The tensor a Constant node holds, when it is given as a tensor or a list of numbers.
    static func constantValue(of node: Node) -> Tensor? {
        for attribute in node.attributes {
            switch (attribute.name, attribute.value) {
            case ("value", .tensor(let tensor)): return tensor
            case ("value_int", .int(let value)): return Tensor(scalar: value)
            case ("value_ints", .ints(let values)): return try? Tensor(shape: [values.count], scalars: values)
            case ("value_float", .float(let value)): return Tensor(scalar: value)
            case ("value_floats", .floats(let values)): return try? Tensor(shape: [values.count], scalars: values)
            default: continue
            }
        }
        return nil
    }
}
