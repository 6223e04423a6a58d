import ModelIR

/// Layers that do nothing at inference: `Identity`, dropout and noise layers, and keras.applications'
/// `StochasticDepth` (ConvNeXt's drop path), pass their input through.
enum IdentityMapper: KerasLayerMapper {
    static let classNames = ["Identity", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
                             "GaussianDropout", "AlphaDropout", "ActivityRegularization", "StochasticDepth"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        [try call.input()]
    }
}
