import ModelIR

/// `GroupNormalization` over the channel axis: the channels split into `groups` consecutive groups
/// (`groups=-1`: one per channel, instance normalization), each normalized over its channels and
/// every non-batch axis with the group's mean and variance (`tf.nn.moments`) and `epsilon`, then
/// scaled by `gamma` and shifted by `beta` per channel. Computed channels first.
enum GroupNormalizationMapper: KerasLayerMapper {
    static let classNames = ["GroupNormalization"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let input = try call.input()
        guard input.rank >= 2 else { throw call.invalid("expects an input of rank 2 or more, got \(input.shape)") }
        let axis = try call.axis(try call.int("axis", default: -1), rank: input.rank)
        guard axis == input.rank - 1 else { throw call.unsupported("axis=\(axis)", "normalize groups of the last (channel) axis, axis=-1") }
        guard let channels = input.shape[axis] else { throw call.unsupported("an unknown channel count", "fix the channel count") }
        var groups = try call.int("groups", default: 32)
        if groups == -1 { groups = channels }
        guard groups >= 1, channels % groups == 0 else { throw call.invalid("\(channels) channels do not split into \(groups) groups") }
        let epsilon = Float(try call.double("epsilon", default: 1e-3))
        let scale = call.bool("scale", default: true)
        let center = call.bool("center", default: true)
        try call.requireWeights((scale ? 1 : 0) + (center ? 1 : 0))
        let graph = call.graph
        let x = input.rank >= 3 ? input.with(name: graph.channelsFirst(input), layout: .channelsFirst) : graph.nativeValue(input)
        let grouped = graph.reshape(x.name, to: [0, groups, -1], hint: call.hint("groups"))
        let mean = graph.reduce("ReduceMean", grouped, axes: [2], keepDims: true, hint: call.hint("mean"))
        let centered = graph.op("Sub", [grouped, mean], hint: call.hint("centered"))
        let variance = graph.reduce("ReduceMean", graph.op("Mul", [centered, centered], hint: call.hint("square")), axes: [2],
                                    keepDims: true, hint: call.hint("variance"))
        let inverse = graph.op("Reciprocal", [graph.op("Sqrt", [graph.op("Add", [variance, graph.scalar(epsilon)], hint: call.hint("variance_eps"))],
                                                       hint: call.hint("std"))], hint: call.hint("inverse_std"))
        let normalized = graph.op("Mul", [centered, inverse], hint: call.hint("normalized"))
        var output = graph.op("Reshape", [normalized, graph.op("Shape", [x.name], hint: call.hint("shape"))], hint: call.hint("ungrouped"))
        let perChannel = [channels] + Array(repeating: 1, count: x.rank - 2)
        var index = 0
        if scale {
            let gamma = try call.weight(0, "gamma")
            guard gamma.count == channels else { throw call.invalid("gamma has \(gamma.count) values for \(channels) channels") }
            output = graph.op("Mul", [output, try call.constant("gamma", gamma.reshaped(perChannel))], hint: call.hint("scaled"))
            index += 1
        }
        if center {
            let beta = try call.weight(index, "beta")
            guard beta.count == channels else { throw call.invalid("beta has \(beta.count) values for \(channels) channels") }
            output = graph.op("Add", [output, try call.constant("beta", beta.reshaped(perChannel))], hint: call.hint("shifted"))
        }
        return [x.with(name: output)]
    }
}
