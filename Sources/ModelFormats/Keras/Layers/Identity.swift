import ModelIR

/// Layers that do nothing at inference: dropout and noise layers pass their input through.
enum IdentityMapper: KerasLayerMapper {
    static let classNames = ["Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
                             "GaussianDropout", "AlphaDropout", "ActivityRegularization"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        [try call.input()]
    }
}
