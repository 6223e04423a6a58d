/// Why a Keras model cannot be converted. Every case names the file; layer errors name the layer's
/// class and name and say what is supported instead.
public enum KerasImportError: Error, CustomStringConvertible {
    /// The file is not a readable Keras model (bad zip, missing config, JSON that does not parse).
    case malformed(file: String, reason: String)
    /// A layer class the importer does not map.
    case unsupportedLayer(file: String, className: String, layer: String, supported: [String])
    /// A Keras 3 operation node (`x + 1`, a `keras.ops` call in a functional model) the importer does not map.
    case unsupportedOperation(file: String, className: String, module: String, node: String, supported: [String])
    /// A layer option the importer does not map.
    case unsupportedOption(file: String, className: String, layer: String, option: String, alternatives: String)
    /// A layer whose configuration or weights do not fit together.
    case invalidLayer(file: String, className: String, layer: String, reason: String)
    /// The model graph itself (inputs, outputs, inbound nodes) is inconsistent.
    case invalidGraph(file: String, reason: String)

    public var description: String {
        switch self {
        case let .malformed(file, reason):
            return "\(file): not a readable Keras model: \(reason)"
        case let .unsupportedLayer(file, className, layer, supported):
            let why = KerasLayerRegistry.refusalReason(className).map { " (\($0))" } ?? ""
            return "\(file): layer '\(layer)' of class \(className) is not supported by the Keras importer\(why); "
                + "supported layers: \(supported.joined(separator: ", "))"
        case let .unsupportedOperation(file, className, module, node, supported):
            return "\(file): operation '\(node)' of class \(module).\(className) is not supported by the Keras importer; "
                + "supported operations: \(supported.joined(separator: ", ")); or wrap the computation in a supported layer"
        case let .unsupportedOption(file, className, layer, option, alternatives):
            return "\(file): layer '\(layer)' of class \(className): \(option) is not supported; \(alternatives)"
        case let .invalidLayer(file, className, layer, reason):
            return "\(file): layer '\(layer)' of class \(className): \(reason)"
        case let .invalidGraph(file, reason):
            return "\(file): \(reason)"
        }
    }
}
