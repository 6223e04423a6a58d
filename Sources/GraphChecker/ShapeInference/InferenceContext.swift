import ModelIR

/// What an op rule sees of a node: its schema, resolved attributes, input types and constant inputs.
struct InferenceContext {
    let node: Node
    let schema: OpSchema
    let opset: Int
    /// Input types by position; nil for an omitted or untyped input.
    let inputs: [ValueType?]
    /// Input values known at check time (initializers and Constant outputs), by position.
    let constants: [Tensor?]
    /// Output types of each GRAPH attribute, by attribute name.
    let subgraphOutputs: [String: [ValueType?]]

    var inputCount: Int { inputs.count }

    func attribute(_ name: String) -> AttributeValue? { schema.attribute(name, of: node) }
    func has(_ name: String) -> Bool { node.attribute(name) != nil }

    func int(_ name: String) -> Int? {
        if case .int(let value)? = attribute(name) { return Int(value) }
        return nil
    }

    func ints(_ name: String) -> [Int]? {
        if case .ints(let values)? = attribute(name) { return values.map { Int($0) } }
        return nil
    }

    func string(_ name: String) -> String? {
        if case .string(let bytes)? = attribute(name) { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    func shape(_ index: Int) -> TensorShape? { index < inputs.count ? inputs[index]?.shape : nil }
    func elementType(_ index: Int) -> DataType? { index < inputs.count ? inputs[index]?.elementType : nil }
    func isPresent(_ index: Int) -> Bool { index < node.inputs.count && !node.inputs[index].isEmpty }

    /// An integer constant input as Ints (int32 or int64 tensors).
    func constantInts(_ index: Int) -> [Int]? {
        guard index < constants.count, let tensor = constants[index] else { return nil }
        if let values = tensor.scalars(as: Int64.self) { return values.map { Int($0) } }
        if let values = tensor.scalars(as: Int32.self) { return values.map { Int($0) } }
        return nil
    }
}

/// One output of a rule: a whole type, or an element type and/or shape to combine with the type
/// the schema's constraints give.
struct InferredOutput {
    var type: ValueType?
    var elementType: DataType?
    var shape: TensorShape?

    init(type: ValueType) { self.type = type }
    init(elementType: DataType? = nil, shape: TensorShape?) {
        self.elementType = elementType
        self.shape = shape
    }
    init(elementType: DataType, dimensions: [Dimension]) {
        self.elementType = elementType
        shape = TensorShape(dimensions)
    }

    static func shape(_ dimensions: [Dimension]) -> InferredOutput { InferredOutput(shape: TensorShape(dimensions)) }
}

extension TensorShape {
    var dims: [Dimension] { dimensions.map(\.dimension) }
}

/// Fails inference of the current node with a shape error.
func shapeError(_ message: String) -> InferenceFailure {
    InferenceFailure(FindingCode.shapeInference, message)
}

/// Resolves a possibly negative axis against `rank`, failing when it is out of range.
func normalizedAxis(_ axis: Int, rank: Int, what: String = "axis") throws(InferenceFailure) -> Int {
    let resolved = axis < 0 ? axis + rank : axis
    guard resolved >= 0 && resolved < rank else {
        throw shapeError("\(what) \(axis) is out of range for rank \(rank)")
    }
    return resolved
}
