import ModelIR

/// The structural rules of `onnx.checker.check_model`: IR version and opset imports, graph inputs,
/// outputs and initializers, lexical scoping and single assignment, topological order, and each
/// node against its operator schema (arity, attributes). Subgraphs and model-local functions are
/// checked with the scoping rules ONNX gives them.
struct StructuralChecker {
    let registry: OpSchemaRegistry
    let sink: FindingSink

    /// The onnx release's highest IR version (`onnx.IR_VERSION`).
    static let maxIRVersion: Int64 = 14

    /// Names visible at a point of a graph: this graph's and, through `parent`, the enclosing graphs'.
    final class Scope {
        let parent: Scope?
        private var names: Set<String> = []

        init(parent: Scope?) { self.parent = parent }

        func add(_ name: String) { names.insert(name) }
        func hasHere(_ name: String) -> Bool { names.contains(name) }
        func has(_ name: String) -> Bool { names.contains(name) || (parent?.has(name) ?? false) }
    }

    struct Context {
        var irVersion: Int64
        /// Imported version per canonical domain.
        var opsets: [String: Int]
        var isMainGraph: Bool
    }

    func check(_ model: Model) {
        if model.irVersion <= 0 {
            sink.error(FindingCode.irVersion, "the model does not have an ir_version set properly (\(model.irVersion))",
                       hint: "set ir_version to the IR version the model was written for (e.g. 8 for opset 13–16)")
        } else if model.irVersion > Self.maxIRVersion {
            sink.error(FindingCode.irVersion, "the model's ir_version \(model.irVersion) is higher than the checker's (\(Self.maxIRVersion))",
                       hint: "write the model with an older IR version or upgrade the checker's ONNX release")
        }
        var keys: Set<String> = []
        for entry in model.metadata where !keys.insert(entry.key).inserted {
            sink.error(FindingCode.metadata, "metadata_props has the key '\(entry.key)' more than once")
        }
        var opsets = OpsetImport.versions(model.opsetImports)
        if model.irVersion >= 3 {
            if opsets.isEmpty {
                sink.error(FindingCode.opsetImport, "a model with IR version \(model.irVersion) (≥ 3) must import an ONNX opset",
                           hint: "add an opset_import entry for the default domain \"\"")
            }
        } else if model.irVersion > 0 {
            if opsets.isEmpty {
                opsets[""] = 1
            } else {
                sink.error(FindingCode.opsetImport, "a model with IR version \(model.irVersion) (< 3) cannot import opsets")
            }
        }
        let context = Context(irVersion: model.irVersion, opsets: opsets, isMainGraph: true)
        checkGraph(model.graph, context, parent: nil)
        if model.irVersion >= 8 {
            checkFunctions(model, context)
        }
    }

    // MARK: Graphs

    func checkGraph(_ graph: Graph, _ context: Context, parent: Scope?) {
        if graph.name.isEmpty {
            sink.error(FindingCode.graphName, context.isMainGraph ? "the graph has no name" : "a subgraph has no name",
                       hint: "ONNX requires every graph to be named")
        }
        for value in graph.inputs { checkValueInfo(value, context, role: "input") }
        for value in graph.outputs { checkValueInfo(value, context, role: "output") }
        let scope = Scope(parent: parent)
        for value in graph.inputs {
            if scope.hasHere(value.name) {
                sink.error(FindingCode.duplicateInput, "graph input '\(value.name)' is declared more than once",
                           hint: "graphs are in single static assignment form: give each input its own name")
            }
            scope.add(value.name)
        }
        var initializerNames: Set<String> = []
        let initializerNamesAndKinds = graph.initializers.map { ($0.name, "initializer") }
            + graph.sparseInitializers.map { ($0.name, "sparse initializer") }
        for (name, kind) in initializerNamesAndKinds {
            if name.isEmpty {
                sink.error(FindingCode.initializer, "a \(kind) has no name")
                continue
            }
            if !initializerNames.insert(name).inserted {
                sink.error(FindingCode.initializer, "\(kind) name '\(name)' is not unique")
            }
            if context.irVersion <= 3 {
                if !scope.hasHere(name) {
                    sink.error(FindingCode.initializer, "initializer '\(name)' is not a graph input, which IR version \(context.irVersion) requires",
                               hint: "list the initializer among the graph inputs or raise ir_version to 4 or later")
                }
            } else {
                scope.add(name)
            }
        }
        for node in graph.nodes {
            for input in node.inputs where !input.isEmpty && !scope.has(input) {
                sink.error(FindingCode.undefinedInput,
                           "input '\(input)' of node '\(node.label)' (\(node.opType)) is not a graph input, an initializer or an output of an earlier node",
                           node: node, hint: "ONNX requires nodes in topological order and every input defined before use")
            }
            checkNode(node, context, scope: scope)
            for output in node.outputs where !output.isEmpty {
                if scope.has(output) {
                    sink.error(FindingCode.duplicateOutput,
                               "output '\(output)' of node '\(node.label)' (\(node.opType)) is already defined; graphs must be in single static assignment form",
                               node: node, hint: "rename the output so every value is assigned once")
                }
                scope.add(output)
            }
        }
    }

    private func checkValueInfo(_ value: ValueInfo, _ context: Context, role: String) {
        if value.name.isEmpty {
            sink.error(FindingCode.valueInfo, "a graph \(role) has no name")
        }
        guard context.isMainGraph else { return }
        guard let type = value.type else {
            sink.error(FindingCode.valueInfo, "graph \(role) '\(value.name)' has no type")
            return
        }
        switch type.type {
        case .tensor(_, let shape), .sparseTensor(_, let shape):
            if shape == nil {
                sink.error(FindingCode.valueInfo, "graph \(role) '\(value.name)' has a tensor type without a shape field",
                           hint: "declare the shape (an empty shape for a scalar, unknown dimensions where needed)")
            }
        case .sequence(let element), .optional(let element):
            if element == nil { sink.error(FindingCode.valueInfo, "graph \(role) '\(value.name)' has no element type") }
        case .map(_, let valueType):
            if valueType == nil { sink.error(FindingCode.valueInfo, "graph \(role) '\(value.name)' has a map type without a value type") }
        case .opaque:
            break
        case .unspecified:
            sink.error(FindingCode.valueInfo, "graph \(role) '\(value.name)' has a type with no value set")
        }
    }

    // MARK: Nodes

    func checkNode(_ node: Node, _ context: Context, scope: Scope) {
        if node.opType.isEmpty {
            sink.error(FindingCode.emptyNode, "node '\(node.label)' has no op_type", node: node)
        }
        if node.inputs.isEmpty && node.outputs.isEmpty {
            sink.error(FindingCode.emptyNode, "node '\(node.label)' (\(node.opType)) has no inputs and no outputs", node: node)
        }
        guard let version = context.opsets[node.domain] else {
            sink.error(FindingCode.missingDomainImport,
                       "node '\(node.label)' (\(node.opType)) is in domain '\(node.domain)', which the model does not import",
                       node: node, hint: "add an opset_import entry for '\(node.domain)'")
            return
        }
        var seen: Set<String> = []
        for attribute in node.attributes {
            if !seen.insert(attribute.name).inserted {
                sink.error(FindingCode.duplicateAttribute, "node '\(node.label)' (\(node.opType)) has attribute '\(attribute.name)' more than once", node: node)
            }
            checkAttribute(attribute, of: node, context, scope: scope)
        }
        guard let schema = registry.schema(node.opType, domain: node.domain, opsetVersion: version) else {
            if Self.builtInDomains.contains(node.domain) {
                let known = registry.allVersions(of: node.opType, domain: node.domain).first
                let hint = known.map { "\(node.opType) exists from opset \($0.sinceVersion) of this domain; raise the opset import" }
                    ?? "check the op_type spelling, or put a custom operator in its own domain"
                sink.error(FindingCode.unknownOperator,
                           "node '\(node.label)': no operator \(node.opType) in domain '\(node.domain)' at opset \(version)",
                           node: node, hint: hint)
            }
            return
        }
        if schema.isDeprecated {
            sink.error(FindingCode.deprecatedOperator,
                       "node '\(node.label)': \(node.opType) is deprecated in opset \(version) of domain '\(node.domain)'",
                       node: node, hint: "replace it with its successor operator")
            return
        }
        verify(node, against: schema)
    }

    /// Domains whose operators must all have schemas (a node there without one is an error).
    static let builtInDomains: Set<String> = ["", "ai.onnx", "ai.onnx.ml", "ai.onnx.training"]

    /// `OpSchema::Verify`: input and output counts, empty names for single parameters, attributes.
    func verify(_ node: Node, against schema: OpSchema) {
        let op = "\(node.opType)-\(schema.sinceVersion)"
        if node.inputs.count < schema.minInputs || node.inputs.count > schema.maxInputs {
            sink.error(FindingCode.arity, "node '\(node.label)' has \(node.inputs.count) inputs; \(op) takes \(range(schema.minInputs, schema.maxInputs))",
                       node: node)
        }
        if node.outputs.count < schema.minOutputs || node.outputs.count > schema.maxOutputs {
            sink.error(FindingCode.arity, "node '\(node.label)' has \(node.outputs.count) outputs; \(op) gives \(range(schema.minOutputs, schema.maxOutputs))",
                       node: node)
        }
        for (index, input) in node.inputs.enumerated() {
            guard index < schema.inputs.count else {
                if schema.inputs.last?.arity != .variadic {
                    sink.error(FindingCode.arity, "node '\(node.label)' has more inputs (\(node.inputs.count)) than \(op) declares (\(schema.inputs.count))", node: node)
                }
                break
            }
            if input.isEmpty && schema.inputs[index].arity == .single {
                sink.error(FindingCode.arity, "node '\(node.label)': input \(index) ('\(schema.inputs[index].name)') of \(op) is required but given as empty", node: node)
            }
        }
        for (index, output) in node.outputs.enumerated() {
            guard index < schema.outputs.count else {
                if schema.outputs.last?.arity != .variadic {
                    sink.error(FindingCode.arity, "node '\(node.label)' has more outputs (\(node.outputs.count)) than \(op) declares (\(schema.outputs.count))", node: node)
                }
                break
            }
            if output.isEmpty && schema.outputs[index].arity == .single {
                sink.error(FindingCode.arity, "node '\(node.label)': output \(index) ('\(schema.outputs[index].name)') of \(op) is required but given as empty", node: node)
            }
        }
        for attribute in node.attributes where !attribute.name.hasPrefix("__") {
            guard let spec = schema.attributes[attribute.name] else {
                if schema.allowsUncheckedAttributes { continue }
                sink.error(FindingCode.unknownAttribute, "node '\(node.label)': \(op) has no attribute '\(attribute.name)'", node: node,
                           hint: schema.attributes.isEmpty ? "\(node.opType) takes no attributes"
                               : "known attributes: " + schema.attributes.keys.sorted().joined(separator: ", "))
                continue
            }
            if attribute.value.kindName != spec.kindName {
                sink.error(FindingCode.attributeType,
                           "node '\(node.label)': attribute '\(attribute.name)' of \(op) must be \(spec.kindName), not \(attribute.value.kindName)",
                           node: node)
            }
        }
        for spec in schema.attributes.values where spec.isRequired && node.attribute(spec.name) == nil {
            sink.error(FindingCode.missingAttribute, "node '\(node.label)': \(op) requires attribute '\(spec.name)' (\(spec.kindName))", node: node)
        }
    }

    private func range(_ low: Int, _ high: Int) -> String {
        if high >= Int(Int32.max) { return "at least \(low)" }
        return low == high ? "exactly \(low)" : "\(low) to \(high)"
    }

    private func checkAttribute(_ attribute: Attribute, of node: Node, _ context: Context, scope: Scope) {
        if attribute.name.isEmpty {
            sink.error(FindingCode.attributeType, "node '\(node.label)' has an attribute without a name", node: node)
        }
        let subgraphs = attribute.subgraphs
        guard !subgraphs.isEmpty else { return }
        var inner = context
        inner.isMainGraph = false
        for graph in subgraphs {
            checkGraph(graph, inner, parent: scope)
        }
    }

    // MARK: Model-local functions

    private func checkFunctions(_ model: Model, _ context: Context) {
        var modelOpsets = context.opsets
        for function in model.functions {
            for opset in function.opsetImports where modelOpsets[opset.domain] == nil {
                modelOpsets[opset.domain] = Int(clamping: opset.version)
            }
        }
        var identities: Set<String> = []
        for function in model.functions {
            if !identities.insert("\(function.domain)::\(function.name)::\(function.overload)").inserted {
                sink.error(FindingCode.function, "function '\(function.domain)::\(function.name)' is defined more than once")
            }
            checkFunction(function, context, modelOpsets: modelOpsets)
        }
    }

    private func checkFunction(_ function: Function, _ context: Context, modelOpsets: [String: Int]) {
        let label = "function '\(function.name)'"
        if function.name.isEmpty {
            sink.error(FindingCode.function, "a model-local function has no name")
        }
        var functionOpsets: [String: Int] = [:]
        for opset in function.opsetImports { functionOpsets[opset.domain] = Int(clamping: opset.version) }
        var inner = context
        inner.opsets = functionOpsets
        let scope = Scope(parent: nil)
        for input in function.inputs {
            if scope.hasHere(input) { sink.error(FindingCode.function, "\(label) has input '\(input)' more than once") }
            scope.add(input)
        }
        if Set(function.outputs).count != function.outputs.count {
            sink.error(FindingCode.function, "\(label) lists an output more than once")
        }
        if Set(function.attributeNames).count != function.attributeNames.count {
            sink.error(FindingCode.function, "\(label) lists an attribute more than once")
        }
        for node in function.nodes {
            for input in node.inputs where !input.isEmpty && !scope.hasHere(input) {
                sink.error(FindingCode.undefinedInput,
                           "\(label): input '\(input)' of node '\(node.label)' (\(node.opType)) is neither a function input nor an output of an earlier node",
                           node: node, hint: "function bodies must be topologically sorted")
            }
            checkOpsetCompatibility(node, function: function, functionOpsets: functionOpsets, modelOpsets: modelOpsets)
            checkNode(node, inner, scope: scope)
            for output in node.outputs where !output.isEmpty {
                if scope.has(output) {
                    sink.error(FindingCode.duplicateOutput, "\(label): output '\(output)' of node '\(node.label)' is assigned more than once", node: node)
                }
                scope.add(output)
            }
        }
    }

    private func checkOpsetCompatibility(_ node: Node, function: Function, functionOpsets: [String: Int], modelOpsets: [String: Int]) {
        guard let functionVersion = functionOpsets[node.domain] else {
            sink.error(FindingCode.missingDomainImport,
                       "function '\(function.name)': node '\(node.label)' uses domain '\(node.domain)', which the function does not import", node: node)
            return
        }
        guard let modelVersion = modelOpsets[node.domain], modelVersion != functionVersion else { return }
        let forModel = registry.schema(node.opType, domain: node.domain, opsetVersion: modelVersion)
        let forFunction = registry.schema(node.opType, domain: node.domain, opsetVersion: functionVersion)
        if forModel == nil && forFunction == nil { return }
        if forModel?.sinceVersion != forFunction?.sinceVersion {
            sink.error(FindingCode.function,
                       "function '\(function.name)': node '\(node.label)' (\(node.opType)) resolves to a different version under the function's opset \(functionVersion) than under the model's \(modelVersion)",
                       node: node, hint: "import the same opset version in the function and the model")
        }
    }
}
