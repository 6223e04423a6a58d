import ModelIR

/// Drops graph inputs that merely repeat an initializer (the IR < 4 convention), so that later
/// passes may treat those initializers as constants — as ONNX Runtime's
/// `remove_initializer_from_input` does. Only for IR version 4 or later, where an initializer need
/// not be an input; `keep_initializer_inputs=true` keeps them overridable.
public struct InitializerInputRemoval: GraphPass {
    public let name = "initializer-input-removal"
    public init() {}

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        guard model.irVersion >= 4, try !context.options.bool("keep_initializer_inputs", default: false) else { return false }
        let initializers = Set(model.graph.initializers.map(\.name))
        let before = model.graph.inputs.count
        model.graph.inputs.removeAll { initializers.contains($0.name) }
        return model.graph.inputs.count != before
    }
}
