extension Graph {
    /// How many nodes of each operator the graph has at its top level, keyed `domain.op` (`op` for the default domain).
    public var operatorHistogram: [String: Int] {
        nodes.reduce(into: [:]) { histogram, node in
            histogram[node.canonicalDomain.isEmpty ? node.opType : "\(node.canonicalDomain).\(node.opType)", default: 0] += 1
        }
    }

    /// Nodes inside subgraphs (If branches, Loop and Scan bodies), at any depth.
    public var nestedNodeCount: Int {
        nodes.reduce(0) { total, node in
            total + node.subgraphs.reduce(0) { $0 + $1.nodes.count + $1.nestedNodeCount }
        }
    }

    /// The number of trained parameters: the elements of initializers, sparse initializers and
    /// `Constant` values, plus what `ConstantOfShape` nodes materialise from constant shapes
    /// (whose int64 shape tensors are then not counted themselves).
    public var parameterCount: Int {
        var constants: [String: Tensor] = [:]
        for tensor in initializers { constants[tensor.name] = tensor }
        for node in nodes where node.opType == "Constant" && node.canonicalDomain.isEmpty {
            if let output = node.outputs.first, let value = node.attribute("value")?.tensor { constants[output] = value }
        }
        var shapeOnly: Set<String> = []
        var materialised = 0
        for node in nodes where node.opType == "ConstantOfShape" && node.canonicalDomain.isEmpty {
            guard let shapeName = node.inputs.first, let shape = constants[shapeName],
                  let sizes = try? shape.int64Values(),
                  let count = try? Tensor.elementCount(of: sizes.map { Int($0) }) else { continue }
            shapeOnly.insert(shapeName)
            materialised = materialised.addingSaturating(count)
        }
        let consumedOtherwise = Set(nodes.filter { $0.opType != "ConstantOfShape" }.flatMap(\.inputs))
        let counted = constants.filter { !shapeOnly.contains($0.key) || consumedOtherwise.contains($0.key) }
        return counted.values.reduce(0) { $0.addingSaturating($1.elementCount) }
            .addingSaturating(sparseInitializers.reduce(0) { $0.addingSaturating($1.values.elementCount) })
            .addingSaturating(materialised)
    }

    /// Graph inputs that are not also initializers (the values a caller must feed).
    public var feedInputs: [ValueInfo] {
        let initializerNames = Set(initializers.map(\.name))
        return inputs.filter { !initializerNames.contains($0.name) }
    }
}

extension Model {
    /// True when some initializer of the main graph was read from an external data file.
    public var usesExternalData: Bool {
        graph.initializers.contains { if case .external = $0.encoding { return true } else { return false } }
    }
}

extension Int {
    /// The sum, or `Int.max` when it would overflow (counts from damaged files can be absurd).
    func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
