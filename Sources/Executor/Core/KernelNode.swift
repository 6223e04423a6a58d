import ModelIR

/// A node as a kernel sees it while being prepared: its attributes with typed accessors that
/// apply defaults and reject ill-typed values, the opset it runs at, and its subgraphs prepared.
public struct KernelNode {
    public let node: Node
    /// The imported version of the node's domain.
    public let opset: Int
    /// The imported version of every domain, as the node sees them.
    public let opsets: [String: Int]
    /// The graph the node belongs to (a model's main graph, a subgraph or a function body).
    public let enclosingGraph: Graph
    let subgraphPreparer: (Graph) throws(ExecutionError) -> Subgraph
    let functionPreparer: (Function, Node) throws(ExecutionError) -> Subgraph
    let isolatedPreparer: (Graph) throws(ExecutionError) -> Subgraph

    public var inputCount: Int { node.inputs.count }
    public var outputCount: Int { node.outputs.count }
    /// True when output `index` is listed with a name, i.e. someone may read it.
    public func producesOutput(_ index: Int) -> Bool { index < node.outputs.count && !node.outputs[index].isEmpty }
    /// True when input `index` is listed with a name.
    public func hasInput(_ index: Int) -> Bool { index < node.inputs.count && !node.inputs[index].isEmpty }

    public func has(_ name: String) -> Bool { node.attribute(name) != nil }

    private func attribute(_ name: String, kind: String) throws(KernelError) -> AttributeValue? {
        guard let attribute = node.attribute(name) else { return nil }
        guard attribute.value.kindName == kind else {
            throw .invalidAttribute("attribute '\(name)' is \(attribute.value.kindName), expected \(kind)")
        }
        return attribute.value
    }

    private func missing(_ name: String) -> KernelError { .invalidAttribute("required attribute '\(name)' is missing") }

    public func int(_ name: String) throws(KernelError) -> Int? {
        guard case .int(let value)? = try attribute(name, kind: "INT") else { return nil }
        guard let result = Int(exactly: value) else { throw .invalidAttribute("attribute '\(name)' is out of range") }
        return result
    }
    public func int(_ name: String, default value: Int) throws(KernelError) -> Int { try int(name) ?? value }
    public func requiredInt(_ name: String) throws(KernelError) -> Int {
        guard let value = try int(name) else { throw missing(name) }
        return value
    }

    public func float(_ name: String) throws(KernelError) -> Float? {
        guard case .float(let value)? = try attribute(name, kind: "FLOAT") else { return nil }
        return value
    }
    public func float(_ name: String, default value: Float) throws(KernelError) -> Float { try float(name) ?? value }

    public func string(_ name: String) throws(KernelError) -> String? {
        guard case .string(let value)? = try attribute(name, kind: "STRING") else { return nil }
        return String(decoding: value, as: UTF8.self)
    }
    public func string(_ name: String, default value: String) throws(KernelError) -> String { try string(name) ?? value }

    public func ints(_ name: String) throws(KernelError) -> [Int]? {
        guard case .ints(let values)? = try attribute(name, kind: "INTS") else { return nil }
        var result: [Int] = []
        for value in values {
            guard let int = Int(exactly: value) else { throw .invalidAttribute("attribute '\(name)' is out of range") }
            result.append(int)
        }
        return result
    }
    public func ints(_ name: String, default value: [Int]) throws(KernelError) -> [Int] { try ints(name) ?? value }
    public func requiredInts(_ name: String) throws(KernelError) -> [Int] {
        guard let value = try ints(name) else { throw missing(name) }
        return value
    }

    public func floats(_ name: String) throws(KernelError) -> [Float]? {
        guard case .floats(let values)? = try attribute(name, kind: "FLOATS") else { return nil }
        return values
    }

    public func strings(_ name: String) throws(KernelError) -> [String]? {
        guard case .strings(let values)? = try attribute(name, kind: "STRINGS") else { return nil }
        return values.map { String(decoding: $0, as: UTF8.self) }
    }

    public func tensor(_ name: String) throws(KernelError) -> Tensor? {
        guard case .tensor(let value)? = try attribute(name, kind: "TENSOR") else { return nil }
        return value
    }

    /// The prepared subgraph held by GRAPH attribute `name`.
    public func subgraph(_ name: String) throws -> Subgraph {
        guard case .graph(let graph)? = try attribute(name, kind: "GRAPH") else { throw missing(name) }
        return try subgraphPreparer(graph)
    }

    /// Prepares `graph` as a self-contained graph at the node's opsets: it sees no enclosing
    /// scope, so every value it reads is one of its inputs or initializers or computed by its nodes.
    public func isolated(_ graph: Graph) throws -> Subgraph {
        try isolatedPreparer(graph)
    }

    /// Another node of the same graph, seen as its kernel would see it: for an operator that
    /// reads other nodes' attributes (as `Gradient` reads those on the path it differentiates).
    public func sibling(_ other: Node) -> KernelNode {
        KernelNode(node: other, opset: opsets[Node.canonicalDomain(other.domain)] ?? 0, opsets: opsets, enclosingGraph: enclosingGraph,
                   subgraphPreparer: subgraphPreparer, functionPreparer: functionPreparer, isolatedPreparer: isolatedPreparer)
    }

    /// Prepares `function` as the body of this node (a function-bodied operator): the node's inputs
    /// and outputs bind to the function's by position, its attributes to the function's attribute references.
    public func expand(_ function: Function) throws -> Subgraph {
        try functionPreparer(function, node)
    }

    /// An attribute that must be one of `choices`.
    public func choice(_ name: String, default value: String, in choices: Set<String>) throws(KernelError) -> String {
        let result = try string(name, default: value)
        guard choices.contains(result) else {
            throw .invalidAttribute("attribute '\(name)' is '\(result)'; expected one of \(choices.sorted().joined(separator: ", "))")
        }
        return result
    }
}
