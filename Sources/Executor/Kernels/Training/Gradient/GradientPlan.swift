import ModelIR

/// What a `Gradient` node differentiates, worked out once from the graph it belongs to.
///
/// The forward subgraph holds the nodes `y` depends on, back to `xs`, `zs` and initializers; it is
/// prepared as a graph of its own whose inputs are `xs` then `zs` (so the `Gradient` node's inputs
/// bind to them by position) and whose outputs are every value the backward pass reads. The steps are
/// the nodes through which a gradient flows from `y` to `xs`, in forward order, with their rules.
struct GradientPlan: Sendable {
    struct Step: Sendable {
        let label: String
        let opType: String
        let inputs: [String]
        let outputs: [String]
        let rule: any DerivativeRule
    }

    let xs: [String]
    let y: String
    let forward: Subgraph
    let steps: [Step]
    /// Values that depend on some x through nodes a gradient flows through.
    let differentiable: Set<String>

    /// - Throws: `GradientError` when `y` depends on a value the plan cannot reach or on the node
    ///   itself, or when a node between `xs` and `y` has no derivative rule.
    init(_ node: KernelNode, xs: [String], zs: [String], y: String) throws {
        let graph = node.enclosingGraph
        let label = node.node.label
        let leaves = xs + zs
        guard Set(leaves).count == leaves.count else {
            throw GradientError(node: label, reason: "xs and zs name a value more than once (\(leaves.joined(separator: ", ")))")
        }
        let leafSet = Set(leaves)
        var constantNames = Set(graph.initializers.map(\.name))
        constantNames.formUnion(graph.sparseInitializers.map(\.name))
        constantNames.subtract(leafSet)
        var producer: [String: Int] = [:]
        for (index, other) in graph.nodes.enumerated() {
            for output in other.outputs where !output.isEmpty { producer[output] = index }
        }

        let order = try Self.forwardOrder(graph, from: y, leaves: leafSet, constants: constantNames,
                                          producer: producer, gradientNode: node.node, label: label)
        let nodes = order.map { graph.nodes[$0] }

        var differentiable = Set(xs)
        var steps: [Step] = []
        for forwardNode in nodes {
            let reads = forwardNode.inputs.filter { !$0.isEmpty } + forwardNode.subgraphs.flatMap { $0.freeVariables().sorted() }
            guard reads.contains(where: differentiable.contains) else { continue }
            let domain = Node.canonicalDomain(forwardNode.domain)
            if domain.isEmpty && DerivativeRules.nonDifferentiable.contains(forwardNode.opType) { continue }
            let opName = domain.isEmpty ? forwardNode.opType : "\(domain).\(forwardNode.opType)"
            guard let ruleType = DerivativeRules.rule(domain: domain, opType: forwardNode.opType) else {
                throw GradientError(node: label, reason: "node '\(forwardNode.label)' (\(opName)) lies between xs and '\(y)', and there is no derivative rule for \(opName); rules exist for \(DerivativeRules.operators.joined(separator: ", "))")
            }
            let rule: any DerivativeRule
            do {
                rule = try ruleType.init(node.sibling(forwardNode))
            } catch {
                throw GradientError(node: label, reason: "node '\(forwardNode.label)' (\(opName)): \(error)")
            }
            steps.append(Step(label: forwardNode.label, opType: opName, inputs: forwardNode.inputs,
                              outputs: forwardNode.outputs, rule: rule))
            differentiable.formUnion(forwardNode.outputs.filter { !$0.isEmpty })
        }

        var recorded: [String] = [y]
        var seen: Set<String> = [y]
        for step in steps {
            for name in step.inputs + step.outputs where !name.isEmpty && seen.insert(name).inserted { recorded.append(name) }
        }
        let used = Set(nodes.flatMap { $0.inputs + $0.subgraphs.flatMap { $0.freeVariables() } } + recorded)
        let forwardGraph = Graph(
            name: "forward of Gradient '\(label)'", nodes: nodes,
            initializers: graph.initializers.filter { constantNames.contains($0.name) && used.contains($0.name) },
            sparseInitializers: graph.sparseInitializers.filter { constantNames.contains($0.name) && used.contains($0.name) },
            inputs: leaves.map { ValueInfo(name: $0) }, outputs: recorded.map { ValueInfo(name: $0) })
        do {
            forward = try node.isolated(forwardGraph)
        } catch {
            throw GradientError(node: label, reason: "the subgraph from xs and zs to '\(y)' cannot run: \(error)")
        }
        self.xs = xs
        self.y = y
        self.steps = steps
        self.differentiable = differentiable
    }

    /// The nodes `y` depends on, stopping at leaves and constants, in an order where every node
    /// comes after the nodes it reads from (depth-first post-order).
    private static func forwardOrder(_ graph: Graph, from y: String, leaves: Set<String>, constants: Set<String>,
                                     producer: [String: Int], gradientNode: Node, label: String) throws -> [Int] {
        var order: [Int] = []
        var state: [Int: Bool] = [:]
        var stack: [(node: Int, expanded: Bool)] = []
        func visit(_ name: String, from reader: String) throws {
            if name.isEmpty || leaves.contains(name) || constants.contains(name) { return }
            guard let index = producer[name] else {
                throw GradientError(node: label, reason: "'\(y)' depends on '\(name)' (read by \(reader)), which is neither in xs or zs, an initializer, nor computed from them; list it in zs")
            }
            if graph.nodes[index] == gradientNode {
                throw GradientError(node: label, reason: "'\(y)' depends on this Gradient node's own output '\(name)'")
            }
            if state[index] == nil { stack.append((index, false)) }
        }
        try visit(y, from: "y")
        while let (index, expanded) = stack.popLast() {
            if expanded {
                if state[index] != true { state[index] = true; order.append(index) }
                continue
            }
            if state[index] != nil { continue }
            state[index] = false
            stack.append((index, true))
            let reader = "node '\(graph.nodes[index].label)'"
            for input in graph.nodes[index].inputs.reversed() { try visit(input, from: reader) }
            for subgraph in graph.nodes[index].subgraphs {
                for name in subgraph.freeVariables().sorted() { try visit(name, from: reader) }
            }
        }
        return order
    }
}

/// Why a `Gradient` node cannot be prepared or run; names the node and what to change.
struct GradientError: Error, CustomStringConvertible {
    let node: String
    let reason: String

    var description: String { "Gradient '\(node)': \(reason)" }
}
