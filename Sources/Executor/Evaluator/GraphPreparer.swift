import ModelIR

/// Turns IR graphs into `PreparedGraph`s: orders nodes topologically (file order is not trusted),
/// resolves each node to a kernel or a model-local function, prepares subgraphs with the names of
/// their enclosing scopes, and computes when each value can be freed.
struct GraphPreparer {
    struct FunctionKey: Hashable {
        let domain: String
        let name: String
        let overload: String
    }

    let registry: KernelRegistry
    let functions: [FunctionKey: Function]
    let modelOpsets: [String: Int]
    /// Function expansions in progress, to stop a function that calls itself.
    var depth = 0
    static let maxDepth = 64

    init(model: Model, registry: KernelRegistry) {
        self.registry = registry
        var functions: [FunctionKey: Function] = [:]
        for function in model.functions {
            functions[FunctionKey(domain: Node.canonicalDomain(function.domain), name: function.name, overload: function.overload)] = function
        }
        self.functions = functions
        modelOpsets = OpsetImport.versions(model.opsetImports)
    }

    /// Names visible from enclosing graphs, innermost first.
    typealias OuterScope = [Set<String>]

    func prepare(_ graph: Graph, opsets: [String: Int], outer: OuterScope?) throws(ExecutionError) -> PreparedGraph {
        let graphName = graph.name.isEmpty ? "main" : graph.name
        var slotNames: [String] = []
        var slotIndex: [String: Int] = [:]
        func slot(_ name: String) -> Int {
            if let existing = slotIndex[name] { return existing }
            slotNames.append(name)
            slotIndex[name] = slotNames.count - 1
            return slotNames.count - 1
        }

        var defined = Set<String>()
        var inputs: [PreparedGraph.Port] = []
        for input in graph.inputs {
            guard !input.name.isEmpty else { throw .invalidGraph(graph: graphName, reason: "an input has no name") }
            inputs.append(.init(name: input.name, slot: slot(input.name), type: input.type?.type))
            defined.insert(input.name)
        }
        var constants: [(slot: Int, value: RuntimeValue)] = []
        for initializer in graph.initializers {
            constants.append((slot(initializer.name), .tensor(initializer)))
            defined.insert(initializer.name)
        }
        for sparse in graph.sparseInitializers {
            guard let dense = try? sparse.densified() else {
                throw .invalidGraph(graph: graphName, reason: "sparse initializer '\(sparse.name)' is malformed")
            }
            constants.append((slot(sparse.name), .tensor(dense)))
            defined.insert(sparse.name)
        }

        var producer: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for output in node.outputs where !output.isEmpty {
                if defined.contains(output) || producer[output] != nil {
                    throw .invalidGraph(graph: graphName, reason: "value '\(output)' is defined more than once (again by node '\(node.label)')")
                }
                producer[output] = index
            }
        }

        // Values each node reads: its inputs plus what its subgraphs read from this scope or above.
        var reads: [[String]] = []
        var freeNames: [String] = []
        var freeSet = Set<String>()
        let visibleHere = defined.union(producer.keys)
        for node in graph.nodes {
            var names = node.inputs.filter { !$0.isEmpty }
            for subgraph in node.subgraphs {
                names += subgraph.freeVariables().sorted()
            }
            for name in names where !visibleHere.contains(name) && !freeSet.contains(name) {
                guard let outer, outer.contains(where: { $0.contains(name) }) else {
                    throw .invalidGraph(graph: graphName,
                                        reason: "node '\(node.label)' reads '\(name)', which no node, input or initializer defines")
                }
                freeSet.insert(name)
                freeNames.append(name)
            }
            reads.append(names)
        }
        for output in graph.outputs where !visibleHere.contains(output.name) && !freeSet.contains(output.name) {
            guard let outer, outer.contains(where: { $0.contains(output.name) }) else {
                throw .invalidGraph(graph: graphName, reason: "output '\(output.name)' is not computed by any node")
            }
            freeSet.insert(output.name)
            freeNames.append(output.name)
        }
        let freeVariables = freeNames.map { (name: $0, slot: slot($0)) }

        let order = try topologicalOrder(graph, reads: reads, producer: producer, graphName: graphName)

        // Last reader of each slot, by position in `order`.
        var outputNames = Set<String>()
        for output in graph.outputs { outputNames.insert(output.name) }
        for node in graph.nodes { for output in node.outputs where !output.isEmpty { _ = slot(output) } }
        var lastUse = [Int](repeating: -1, count: slotNames.count)
        for (position, nodeIndex) in order.enumerated() {
            for name in reads[nodeIndex] { if let s = slotIndex[name] { lastUse[s] = position } }
            for name in graph.nodes[nodeIndex].outputs where !name.isEmpty {
                if let s = slotIndex[name], lastUse[s] < position { lastUse[s] = position }
            }
        }
        var releaseAt = [[Int]](repeating: [], count: order.count)
        for (s, position) in lastUse.enumerated() where position >= 0 && !outputNames.contains(slotNames[s]) {
            releaseAt[position].append(s)
        }

        var scopeReads = Set<Int>()
        for (nodeIndex, node) in graph.nodes.enumerated() where !node.subgraphs.isEmpty {
            let direct = Set(node.inputs)
            for name in reads[nodeIndex] where !direct.contains(name) { if let s = slotIndex[name] { scopeReads.insert(s) } }
        }

        let scope: OuterScope = [visibleHere] + (outer ?? [])
        var steps: [PreparedGraph.Step] = []
        for (position, nodeIndex) in order.enumerated() {
            let node = graph.nodes[nodeIndex]
            let (kernel, opset, required) = try prepareKernel(node, in: graph, opsets: opsets, scope: scope)
            steps.append(.init(label: node.label, opType: node.opType, domain: node.canonicalDomain, opset: opset,
                               inputNames: node.inputs, kernel: kernel, requiredInputs: required,
                               inputs: node.inputs.map { $0.isEmpty ? nil : slotIndex[$0] },
                               outputs: node.outputs.map { $0.isEmpty ? nil : slotIndex[$0] },
                               release: releaseAt[position]))
        }

        var outputs: [PreparedGraph.Port] = []
        for output in graph.outputs {
            outputs.append(.init(name: output.name, slot: slot(output.name), type: output.type?.type))
        }
        return PreparedGraph(name: graphName, slotNames: slotNames, inputs: inputs, outputs: outputs,
                             constants: constants, freeVariables: freeVariables, steps: steps, scopeReads: scopeReads)
    }

    /// Kahn's algorithm, taking ready nodes in file order.
    private func topologicalOrder(_ graph: Graph, reads: [[String]], producer: [String: Int],
                                  graphName: String) throws(ExecutionError) -> [Int] {
        let count = graph.nodes.count
        var dependents = [[Int]](repeating: [], count: count)
        var pending = [Int](repeating: 0, count: count)
        for index in 0..<count {
            var seen = Set<Int>()
            for name in reads[index] {
                guard let source = producer[name], seen.insert(source).inserted else { continue }
                if source == index {
                    throw .invalidGraph(graph: graphName, reason: "node '\(graph.nodes[index].label)' reads its own output '\(name)'")
                }
                dependents[source].append(index)
                pending[index] += 1
            }
        }
        var ready = MinHeap((0..<count).filter { pending[$0] == 0 })
        var order: [Int] = []
        order.reserveCapacity(count)
        while let next = ready.pop() {
            order.append(next)
            for dependent in dependents[next] {
                pending[dependent] -= 1
                if pending[dependent] == 0 { ready.push(dependent) }
            }
        }
        guard order.count == count else {
            let stuck = (0..<count).filter { pending[$0] > 0 }.prefix(5).map { "'\(graph.nodes[$0].label)'" }
            throw .invalidGraph(graph: graphName, reason: "the nodes form a cycle (involving \(stuck.joined(separator: ", ")))")
        }
        return order
    }

    private func prepareKernel(_ node: Node, in graph: Graph, opsets: [String: Int],
                               scope: OuterScope) throws(ExecutionError) -> (any Kernel, Int, Int) {
        let domain = node.canonicalDomain
        let label = node.label
        if let function = functions[FunctionKey(domain: domain, name: node.opType, overload: node.overload)] {
            let body = try prepareFunction(function, call: node, opsets: opsets)
            return (FunctionCall(body: body), opsets[domain] ?? 1, 0)
        }
        guard let opset = opsets[domain] else {
            throw .missingOpset(node: label, op: node.opType, domain: domain)
        }
        guard let type = registry.kernel(domain: domain, opType: node.opType, opset: opset) else {
            throw .unsupportedOperator(node: label, op: node.opType, domain: domain, opset: opset,
                                       available: registry.versions(domain: domain, opType: node.opType))
        }
        func invalid(_ reason: String) -> ExecutionError {
            .invalidNode(node: label, op: node.opType, domain: domain, opset: opset, reason: reason)
        }
        let inputArity = type.inputArity, outputArity = type.outputArity
        guard inputArity.contains(node.inputs.count) else {
            throw invalid("has \(node.inputs.count) inputs; \(describe(inputArity)) expected")
        }
        guard outputArity.contains(node.outputs.count) else {
            throw invalid("has \(node.outputs.count) outputs; \(describe(outputArity)) expected")
        }
        for index in 0..<min(type.requiredInputs, node.inputs.count) where node.inputs[index].isEmpty {
            throw invalid("input \(index) is required but omitted")
        }
        let context = KernelNode(
            node: node, opset: opset, opsets: opsets, enclosingGraph: graph,
            subgraphPreparer: { (graph) throws(ExecutionError) -> Subgraph in
                Subgraph(graph: try self.prepare(graph, opsets: opsets, outer: scope), inheritsScope: true)
            },
            functionPreparer: { (function, call) throws(ExecutionError) -> Subgraph in
                try self.prepareFunction(function, call: call, opsets: opsets)
            },
            isolatedPreparer: { (graph) throws(ExecutionError) -> Subgraph in
                Subgraph(graph: try self.prepare(graph, opsets: opsets, outer: nil), inheritsScope: false)
            })
        do {
            return (try type.init(context), opset, type.requiredInputs)
        } catch let error as ExecutionError {
            throw error
        } catch {
            throw invalid(String(describing: error))
        }
    }

    /// Prepares `function` as the body of `call`: attribute references resolved against the call's
    /// attributes (then the function's defaults), opsets from the function's imports over the caller's.
    func prepareFunction(_ function: Function, call: Node, opsets: [String: Int]) throws(ExecutionError) -> Subgraph {
        guard depth < Self.maxDepth else {
            throw .invalidNode(node: call.label, op: call.opType, domain: call.canonicalDomain, opset: 0,
                               reason: "function expansion is nested more than \(Self.maxDepth) deep (a function that calls itself?)")
        }
        var inner = self
        inner.depth += 1
        let bound = function.boundBody(for: call)
        let graph = Graph(name: "\(function.name) in '\(call.label)'", nodes: bound,
                          inputs: function.inputs.map { ValueInfo(name: $0) },
                          outputs: function.outputs.map { ValueInfo(name: $0) })
        let functionOpsets = OpsetImport.versions(function.opsetImports, over: opsets)
        return Subgraph(graph: try inner.prepare(graph, opsets: functionOpsets, outer: nil), inheritsScope: false)
    }
}

private func describe(_ arity: ClosedRange<Int>) -> String {
    if arity.upperBound >= variadic { return "at least \(arity.lowerBound)" }
    if arity.lowerBound == arity.upperBound { return "\(arity.lowerBound)" }
    return "\(arity.lowerBound) to \(arity.upperBound)"
}
