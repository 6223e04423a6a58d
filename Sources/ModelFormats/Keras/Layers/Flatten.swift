import ModelIR

/// `Flatten`: a Reshape of the channels-last tensor, so the order of features is Keras's.
enum FlattenMapper: KerasLayerMapper {
    static let classNames = ["Flatten"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        try call.requireChannelsLast()
        let x = call.graph.nativeValue(try call.input())
        let features = x.shape.dropFirst().reduce(Optional(1)) { product, size in
            guard let product, let size else { return nil }
            return product * size
        }
        let output = call.graph.reshape(x.name, to: [0, features ?? -1], hint: call.hint("Flatten"))
        return [x.with(name: output, shape: [nil, features])]
    }
}
