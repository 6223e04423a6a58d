import ModelIR

/// `Flatten`: a Reshape of the channels-last tensor, so the order of features is Keras's; of a
/// channels-first value, a Reshape in that order, which a following Dense undoes in its weights
/// (saving the transpose back to channels last).
enum FlattenMapper: KerasLayerMapper {
    static let classNames = ["Flatten"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        try call.requireChannelsLast()
        let input = try call.input()
        if input.layout == .channelsFirst, input.rank >= 3, let features = knownProduct(input.shape.dropFirst()) {
            let output = call.graph.reshape(input.name, to: [0, features], hint: call.hint("Flatten"))
            call.graph.recordFlatten(output, of: input.name)
            return [KerasValue(name: output, shape: [nil, features], layout: .flattenedChannelsFirst(sourceShape: input.shape),
                               dataType: input.dataType)]
        }
        let x = call.graph.nativeValue(input)
        let features = knownProduct(x.shape.dropFirst())
        let output = call.graph.reshape(x.name, to: [0, features ?? -1], hint: call.hint("Flatten"))
        return [x.with(name: output, shape: [nil, features])]
    }
}
