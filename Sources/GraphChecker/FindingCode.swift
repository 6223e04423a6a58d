/// The stable finding codes, in one place so that tools can rely on them.
public enum FindingCode {
    // Model level.
    /// The file could not be read as a model (reported by the command, not by `GraphChecker`).
    public static let unreadableModel = "unreadable-model"
    public static let irVersion = "ir-version"
    public static let opsetImport = "opset-import"
    public static let metadata = "duplicate-metadata"
    // Graph structure.
    public static let graphName = "graph-name"
    public static let valueInfo = "invalid-value-info"
    public static let duplicateInput = "duplicate-input"
    public static let initializer = "invalid-initializer"
    public static let undefinedInput = "undefined-input"
    public static let duplicateOutput = "duplicate-output"
    public static let undefinedGraphOutput = "undefined-graph-output"
    // Nodes.
    public static let emptyNode = "empty-node"
    public static let missingDomainImport = "missing-domain-import"
    public static let unknownOperator = "unknown-operator"
    public static let deprecatedOperator = "deprecated-operator"
    public static let arity = "arity"
    public static let unknownAttribute = "unknown-attribute"
    public static let attributeType = "attribute-type"
    public static let missingAttribute = "missing-attribute"
    public static let duplicateAttribute = "duplicate-attribute"
    public static let function = "invalid-function"
    // Inference.
    public static let typeConstraint = "type-constraint"
    public static let typeMismatch = "type-mismatch"
    public static let shapeMismatch = "shape-mismatch"
    public static let shapeInference = "shape-inference"
    // Lint.
    public static let unusedInitializer = "unused-initializer"
    public static let unusedInput = "unused-input"
    public static let deadNode = "dead-node"
    public static let oldOpset = "old-opset"
    public static let float64Weights = "float64-weights"
}
