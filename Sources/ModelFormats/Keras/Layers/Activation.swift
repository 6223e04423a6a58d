import ModelIR

/// `Activation`: one of Keras's activation functions, in whatever layout the input has.
enum ActivationMapper: KerasLayerMapper {
    static let classNames = ["Activation"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        guard let activation = call.config["activation"] else { throw call.invalid("the configuration has no activation") }
        return [try KerasActivation.apply(activation, to: x, call: call)]
    }
}
