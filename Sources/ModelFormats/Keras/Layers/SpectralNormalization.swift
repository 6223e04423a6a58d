import ModelIR

/// `SpectralNormalization` at inference: Keras's `call(training=False)` runs the wrapped layer with
/// its kernel as stored (the power iteration that divides it by its spectral norm runs in training
/// only), so the wrapped layer is converted on its own weights and `vector_u` is left out. The
/// wrapped layer's weights come first in a `.h5` file ([kernel, bias, vector_u]); a `.keras` file
/// holds the wrapper's own variables first, the kernel it tracks and `vector_u`, then the wrapped
/// layer's ([kernel, vector_u, kernel, bias]).
enum SpectralNormalizationMapper: KerasLayerMapper {
    static let classNames = ["SpectralNormalization"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard let innerJSON = call.config["layer"] else { throw call.invalid("the configuration has no wrapped layer") }
        let weights = call.weights
        guard weights.count >= 2 else { throw call.invalid("expects the wrapped layer's weights and vector_u, the file holds \(weights.count) weights") }
        let wrapperFirst = weights.count >= 3 && weights[1].shape == [1, weights[0].shape.last ?? -1] && weights[2].shape == weights[0].shape
        let innerWeights = wrapperFirst ? Array(weights.dropFirst(2)) : Array(weights.dropLast())
        let inner = try call.wrapped(innerJSON, weights: innerWeights, inputs: call.inputs, suffix: "layer")
        return try call.convertWrapped(inner)
    }
}
