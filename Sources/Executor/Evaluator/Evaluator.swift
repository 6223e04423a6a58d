import ModelIR

/// The reference executor for one model: prepared once, run on any number of input sets.
///
/// Preparation orders the nodes topologically, resolves each to the kernel of the highest
/// since-version not above the model's opset (or to a model-local function), checks attributes
/// and arity, and plans when every intermediate value can be freed. A run feeds inputs by name,
/// checks them against the graph's declared types and shapes, and returns the outputs — and, when
/// asked, every intermediate value for layer-wise comparison.
public struct Evaluator: Sendable {
    public let model: Model
    let graph: PreparedGraph
    /// Constant steps computed once and convolutions fused with their epilogues (`FastPlan`);
    /// taken by runs that feed no initializer and capture nothing.
    let fastGraph: PreparedGraph?
    let initializerNames: Set<String>

    /// - Throws: `ExecutionError` for an unsupported operator, an invalid node or an ill-formed graph.
    public init(model: Model, registry: KernelRegistry = .standard) throws(ExecutionError) {
        self.model = model
        let preparer = GraphPreparer(model: model, registry: registry)
        graph = try preparer.prepare(model.graph, opsets: preparer.modelOpsets, outer: nil)
        fastGraph = FastPlan.isDisabled ? nil : FastPlan.make(graph)
        initializerNames = Set(model.graph.initializers.map(\.name))
    }

    /// The inputs a caller must feed (graph inputs without an initializer).
    public var requiredInputs: [ValueInfo] { model.graph.feedInputs }

    /// Runs the model.
    ///
    /// - Parameters:
    ///   - feeds: a value for every required input, by name; an input that has an initializer may be fed to override it.
    ///   - captureIntermediates: also return every value a node computes, in execution order.
    /// - Throws: `ExecutionError` for a missing, unknown or mistyped input, or a failing node.
    ///   - profile: accumulates the time of each step of the plan the run takes.
    public func run(_ feeds: [String: RuntimeValue], captureIntermediates: Bool = false,
                    profile: ExecutionProfile? = nil) throws(ExecutionError) -> ExecutionResult {
        var intermediates: [NamedValue] = []
        let capture: Capture? = captureIntermediates ? { intermediates.append(NamedValue(name: $0, value: $1)) } : nil
        let outputs = try run(feeds, capture: capture, profile: profile)
        return ExecutionResult(outputs: outputs, intermediates: intermediates)
    }

    /// Runs the model on the reference plan, handing every value a node computes to `observe` as it
    /// is computed, in execution order, and keeping none of them: a caller that compares or
    /// summarizes intermediates holds only what it chooses to.
    /// - Returns: the graph outputs in declaration order.
    public func run(tensors feeds: [String: Tensor], observe: @escaping (NamedValue) -> Void) throws(ExecutionError) -> [NamedValue] {
        try run(feeds.mapValues(RuntimeValue.tensor), capture: { observe(NamedValue(name: $0, value: $1)) }, profile: nil)
    }

    private func run(_ feeds: [String: RuntimeValue], capture: Capture?, profile: ExecutionProfile?) throws(ExecutionError) -> [NamedValue] {
        let names = Set(graph.inputs.map(\.name))
        for name in feeds.keys.sorted() where !names.contains(name) {
            throw .unknownInput(name: name, inputs: graph.inputs.map(\.name))
        }
        var inputs: [RuntimeValue?] = []
        for port in graph.inputs {
            if var value = feeds[port.name] {
                if case .optional? = port.type, !isOptional(value) { value = .optional(value) }
                if let mismatch = mismatch(value, port.type) {
                    throw .inputMismatch(name: port.name, expected: port.type?.description ?? "?", actual: mismatch)
                }
                inputs.append(value)
            } else if initializerNames.contains(port.name) {
                inputs.append(nil)
            } else {
                throw .missingInput(name: port.name, expected: port.type?.description ?? "a value")
            }
        }
        let plan = capture != nil || feeds.keys.contains(where: initializerNames.contains) ? graph : fastGraph ?? graph
        let values = try Executor.execute(plan, inputs: inputs, parent: nil, capture: capture, profile: profile)
        var outputs: [NamedValue] = []
        for (port, value) in zip(graph.outputs, values) {
            guard let value else { throw .missingOutput(name: port.name) }
            outputs.append(NamedValue(name: port.name, value: value))
        }
        return outputs
    }

    /// Runs the model on tensors.
    public func run(tensors feeds: [String: Tensor], captureIntermediates: Bool = false) throws(ExecutionError) -> ExecutionResult {
        try run(feeds.mapValues(RuntimeValue.tensor), captureIntermediates: captureIntermediates)
    }

    private func isOptional(_ value: RuntimeValue) -> Bool {
        if case .optional = value { return true }
        return false
    }

    /// A description of `value` when it does not fit `type`, else nil.
    private func mismatch(_ value: RuntimeValue, _ type: ValueType?) -> String? {
        guard let type else { return nil }
        switch (type, value) {
        case (.unspecified, _): return nil
        case let (.tensor(elementType, shape), .tensor(tensor)):
            if elementType != .undefined && elementType != tensor.dataType { return tensor.summary }
            guard let shape else { return nil }
            if shape.rank != tensor.rank { return tensor.summary }
            for (dimension, size) in zip(shape.dimensions, tensor.shape) {
                if let fixed = dimension.dimension.value, fixed != size { return tensor.summary }
            }
            return nil
        case let (.sequence(element), .sequence(tensors)):
            for tensor in tensors { if let problem = mismatch(.tensor(tensor), element) { return "a sequence holding \(problem)" } }
            return nil
        case (.optional, .optional(nil)): return nil
        case let (.optional(element), .optional(wrapped?)): return mismatch(wrapped, element).map { "optional(\($0))" }
        default: return value.summary
        }
    }
}

/// A value with the name of the graph value it is.
public struct NamedValue: Sendable {
    public var name: String
    public var value: RuntimeValue

    public init(name: String, value: RuntimeValue) {
        self.name = name
        self.value = value
    }
}

/// What a run returns: the graph outputs in declaration order and, when captured, every
/// intermediate value in execution order.
public struct ExecutionResult: Sendable {
    public var outputs: [NamedValue]
    public var intermediates: [NamedValue]

    /// The output (or captured intermediate) called `name`.
    public subscript(name: String) -> RuntimeValue? {
        outputs.first { $0.name == name }?.value ?? intermediates.first { $0.name == name }?.value
    }
}
