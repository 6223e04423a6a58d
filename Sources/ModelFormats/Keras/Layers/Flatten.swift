import ModelIR

/// `Flatten`: a Reshape of the channels-last tensor, so the order of features is Keras's.
enum FlattenMapper: KerasLayerMapper {
    static let classNames = ["Flatten"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        try call.requireChannelsLast()
        let x = call.graph.nativeValue(try call.input())
        let features = knownProduct(x.shape.dropFirst())
        let output = call.graph.reshape(x.name, to: [0, features ?? -1], hint: call.hint("Flatten"))
        return [x.with(name: output, shape: [nil, features])]
    }
}
