import ModelIR

/// One version of an operator's contract, as ONNX's `OpSchema` states it: arity, attributes and
/// type constraints, from the version that introduced it (`sinceVersion`) until the next one.
public struct OpSchema: Sendable {
    /// How many values a formal input or output takes.
    public enum Arity: Sendable, Hashable {
        case single, optional, variadic
    }

    /// A formal input or output: its name, type (a constraint name such as `T` or a literal such as
    /// `tensor(int64)`) and arity.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var typeString: String
        public var arity: Arity
        /// For a variadic parameter: whether every value must have the same type.
        public var isHomogeneous: Bool
        /// For a variadic parameter: the fewest values it takes.
        public var minArity: Int
    }

    /// An attribute the operator accepts.
    public struct AttributeSpec: Sendable {
        public var name: String
        /// The ONNX attribute type name (`"INT"`, `"FLOATS"`, …), as `AttributeValue.kindName` spells it.
        public var kindName: String
        public var isRequired: Bool
        /// The value used when a node does not give the attribute, if the schema has one.
        public var defaultValue: AttributeValue?
    }

    /// A type variable and the types it may stand for (`tensor(float)`, `seq(tensor(int64))`, …).
    public struct TypeConstraint: Sendable {
        public var name: String
        public var allowedTypes: Set<String>
    }

    public var name: String
    public var domain: String
    public var sinceVersion: Int
    public var isDeprecated: Bool
    /// True when ONNX defines the operator by a function body (plain or context-dependent).
    public var hasFunctionBody: Bool
    /// True when the function body depends on the node (its attributes or input types).
    public var hasContextDependentFunctionBody: Bool
    /// True when ONNX has a type-and-shape inference function for this version.
    public var hasInferenceFunction: Bool
    /// True when ONNX accepts attributes this version does not declare (LayerNormalization-17).
    public var allowsUncheckedAttributes: Bool
    /// Opset versions for which ONNX publishes a function body.
    public var functionOpsetVersions: [Int]
    public var minInputs: Int
    public var maxInputs: Int
    public var minOutputs: Int
    public var maxOutputs: Int
    public var inputs: [Parameter]
    public var outputs: [Parameter]
    public var attributes: [String: AttributeSpec]
    public var typeConstraints: [String: TypeConstraint]

    /// The attribute `name` of `node`, or the schema's default for it.
    public func attribute(_ name: String, of node: Node) -> AttributeValue? {
        node.attribute(name)?.value ?? attributes[name]?.defaultValue
    }

    /// The formal input that the node's input at `index` binds to (variadic parameters take the rest).
    public func inputParameter(at index: Int) -> Parameter? {
        Self.parameter(at: index, in: inputs)
    }

    /// The formal output that the node's output at `index` binds to.
    public func outputParameter(at index: Int) -> Parameter? {
        Self.parameter(at: index, in: outputs)
    }

    private static func parameter(at index: Int, in parameters: [Parameter]) -> Parameter? {
        if index < parameters.count { return parameters[index] }
        if let last = parameters.last, last.arity == .variadic { return last }
        return nil
    }
}
