import ModelIR

/// Lookups and edits the passes share: who produces and who consumes a value, constants, and
/// renaming. Names used inside subgraphs (If branches, Loop bodies) count as uses of the outer value.
extension Graph {
    /// The index of the node producing each value.
    func producerIndex() -> [String: Int] {
        var result: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { result[output] = index }
        }
        return result
    }

    /// The indices of the nodes that use each value (a node using a value twice appears once),
    /// including uses from inside the node's subgraphs.
    func consumerIndices() -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for (index, node) in nodes.enumerated() {
            var used = Set(node.inputs.filter { !$0.isEmpty })
            for subgraph in node.subgraphs { used.formUnion(subgraph.referencedNames()) }
            for name in used { result[name, default: []].append(index) }
        }
        return result
    }

    /// Tries `rewrite` at each node index in turn, staying at an index while the rewrite succeeds
    /// there (a rewrite replaces or removes the node at its index). Returns whether any succeeded.
    mutating func rewriteEachNode(_ rewrite: (Int, inout Graph) throws -> Bool) rethrows -> Bool {
        var changed = false
        var index = 0
        while index < nodes.count {
            if try rewrite(index, &self) { changed = true } else { index += 1 }
        }
        return changed
    }

    /// Every name a node of this graph (or of its subgraphs, at any depth) reads.
    func referencedNames() -> Set<String> {
        var names: Set<String> = []
        for node in nodes {
            names.formUnion(node.inputs.filter { !$0.isEmpty })
            for subgraph in node.subgraphs { names.formUnion(subgraph.referencedNames()) }
        }
        names.formUnion(outputs.map(\.name))
        return names
    }

    var outputNames: Set<String> { Set(outputs.map(\.name)) }
    var inputNames: Set<String> { Set(inputs.map(\.name)) }

    /// The value of an initializer that a caller cannot override (not also a graph input).
    func constant(_ name: String) -> Tensor? {
        guard !name.isEmpty, !inputs.contains(where: { $0.name == name }) else { return nil }
        return initializers.first { $0.name == name }
    }

    /// A constant's elements as Float, if it is a float, double or float16 constant.
    func floatConstant(_ name: String) -> [Float]? {
        guard let tensor = constant(name), tensor.dataType.isFloatingPoint else { return nil }
        return try? tensor.floatValues()
    }

    /// Adds `tensor` as an initializer, replacing one of the same name.
    mutating func setInitializer(_ tensor: Tensor) {
        if let index = initializers.firstIndex(where: { $0.name == tensor.name }) {
            initializers[index] = tensor
        } else {
            initializers.append(tensor)
        }
    }

    /// Replaces every read of `old` by the graph's nodes (and their subgraphs) with `new`.
    /// Graph outputs are not renamed.
    mutating func replaceUses(of old: String, with new: String) {
        for index in nodes.indices { nodes[index].replaceUses(of: old, with: new) }
    }

    /// Makes `replacement` take the place of `value`: every read of `value` now reads `replacement`.
    /// When `value` is a graph output, the producer of `replacement` is renamed to produce `value`
    /// instead, which needs `replacement` to be a node output that is not a graph input or output.
    /// - Returns: false when neither is possible (the caller keeps the node).
    mutating func bypass(_ value: String, with replacement: String) -> Bool {
        if !outputNames.contains(value) {
            replaceUses(of: value, with: replacement)
            return true
        }
        guard !outputNames.contains(replacement), !inputNames.contains(replacement),
              !initializers.contains(where: { $0.name == replacement }),
              let producer = producerIndex()[replacement] else { return false }
        for (index, name) in nodes[producer].outputs.enumerated() where name == replacement {
            nodes[producer].outputs[index] = value
        }
        replaceUses(of: replacement, with: value)
        return true
    }

    /// Orders the nodes so that every node follows the producers of its inputs; the relative order
    /// of independent nodes is kept. Nodes in a cycle (an invalid graph) are left at the end in order.
    mutating func sortTopologically() {
        let producers = producerIndex()
        var state = [UInt8](repeating: 0, count: nodes.count)
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        func visit(_ start: Int) {
            var stack: [(Int, [Int])] = []
            func dependencies(_ index: Int) -> [Int] {
                var names = nodes[index].inputs
                for subgraph in nodes[index].subgraphs { names.append(contentsOf: subgraph.referencedNames()) }
                return names.compactMap { producers[$0] }.filter { $0 != index }
            }
            state[start] = 1
            stack.append((start, dependencies(start)))
            while !stack.isEmpty {
                if let next = stack[stack.count - 1].1.popLast() {
                    if state[next] == 0 {
                        state[next] = 1
                        stack.append((next, dependencies(next)))
                    }
                } else {
                    let (done, _) = stack.removeLast()
                    state[done] = 2
                    order.append(done)
                }
            }
        }
        for index in nodes.indices where state[index] == 0 { visit(index) }
        if order != Array(nodes.indices) { nodes = order.map { nodes[$0] } }
    }

    /// Drops initializers, sparse initializers and value_info entries nothing reads.
    mutating func removeUnusedInitializers() -> Bool {
        let used = referencedNames()
        let before = initializers.count + sparseInitializers.count
        let inputNames = inputNames
        initializers.removeAll { !used.contains($0.name) && !inputNames.contains($0.name) }
        sparseInitializers.removeAll { !used.contains($0.name) && !inputNames.contains($0.name) }
        return initializers.count + sparseInitializers.count != before
    }
}

extension Node {
    mutating func replaceUses(of old: String, with new: String) {
        for index in inputs.indices where inputs[index] == old { inputs[index] = new }
        for index in attributes.indices {
            switch attributes[index].value {
            case .graph(var graph):
                if graph.readsOuter(old) {
                    graph.replaceUses(of: old, with: new)
                    attributes[index].value = .graph(graph)
                }
            case .graphs(var graphs):
                for g in graphs.indices where graphs[g].readsOuter(old) { graphs[g].replaceUses(of: old, with: new) }
                attributes[index].value = .graphs(graphs)
            default: break
            }
        }
    }

    /// The value of an integer attribute, or `defaultValue`.
    func int(_ name: String, default defaultValue: Int) -> Int {
        guard let attribute = attribute(name), case .int(let value) = attribute.value else { return defaultValue }
        return Int(truncatingIfNeeded: value)
    }

    /// The value of an integer attribute, nil when absent or of another kind.
    func intAttribute(_ name: String) -> Int64? {
        guard let attribute = attribute(name), case .int(let value) = attribute.value else { return nil }
        return value
    }

    /// The values of an integer-list attribute, nil when absent or of another kind.
    func intsAttribute(_ name: String) -> [Int64]? {
        guard let attribute = attribute(name), case .ints(let values) = attribute.value else { return nil }
        return values
    }

    func float(_ name: String, default defaultValue: Float) -> Float {
        guard let attribute = attribute(name), case .float(let value) = attribute.value else { return defaultValue }
        return value
    }

    /// Sets (or replaces) an attribute.
    mutating func setAttribute(_ name: String, _ value: AttributeValue) {
        if let index = attributes.firstIndex(where: { $0.name == name }) {
            attributes[index].value = value
        } else {
            attributes.append(Attribute(name: name, value: value))
        }
    }

    mutating func removeAttribute(_ name: String) {
        attributes.removeAll { $0.name == name }
    }

    /// True for a node of the default ONNX domain with op type `opType`.
    func isONNX(_ opType: String) -> Bool {
        self.opType == opType && (domain.isEmpty || domain == "ai.onnx")
    }
}

extension Graph {
    /// True when the graph reads `name` without defining it itself (an outer-scope value).
    fileprivate func readsOuter(_ name: String) -> Bool {
        let defined = Set(nodes.flatMap(\.outputs)).union(inputs.map(\.name)).union(initializers.map(\.name))
        return !defined.contains(name) && referencedNames().contains(name)
    }
}
