import ModelIR

/// `LeakyReLU`: `negative_slope` (Keras 3) or `alpha` (tf.keras 2), default 0.3.
enum LeakyReLUMapper: KerasLayerMapper {
    static let classNames = ["LeakyReLU"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        let slope = try call.double("negative_slope", default: try call.double("alpha", default: 0.3))
        return [x.with(name: call.graph.op("LeakyRelu", [x.name], [.float("alpha", Float(slope))], hint: call.hint("LeakyRelu")))]
    }
}
