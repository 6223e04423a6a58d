import ModelIR

import Foundation

/// `BatchNormalization` at inference: ONNX BatchNormalization where the channel axis is axis 1
/// of the ONNX value, otherwise x·s + t with s = γ/√(var + ε) and t = β − mean·s, which is what
/// TensorFlow computes.
enum BatchNormalizationMapper: KerasLayerMapper {
    static let classNames = ["BatchNormalization"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let input = try call.input()
        let x = input.rank == 2 ? call.graph.nativeValue(input) : input
        let axes = call.config["axis"]?.ints ?? [-1]
        guard axes.count == 1 else { throw call.unsupported("axis=\(axes)", "normalize over one axis") }
        let axis = axes[0] < 0 ? axes[0] + x.rank : axes[0]
        guard axis >= 1, axis < x.rank, let channels = x.shape[axis], channels > 0 else {
            throw call.invalid("axis \(axes[0]) does not fit the input shape \(x.shape)")
        }
        if call.bool("renorm", default: false) { throw call.unsupported("renorm=True", "train without batch renormalization") }
        let center = call.bool("center", default: true)
        let scale = call.bool("scale", default: true)
        let epsilon = try call.double("epsilon", default: 1e-3)
        try call.requireWeights(2 + (center ? 1 : 0) + (scale ? 1 : 0))
        var index = 0
        let gamma = scale ? try call.weight(index, "gamma") : KerasArray(shape: [channels], values: Array(repeating: 1, count: channels))
        if scale { index += 1 }
        let beta = center ? try call.weight(index, "beta") : KerasArray(shape: [channels], values: Array(repeating: 0, count: channels))
        if center { index += 1 }
        let mean = try call.weight(index, "moving_mean")
        let variance = try call.weight(index + 1, "moving_variance")
        for array in [gamma, beta, mean, variance] where array.count != channels {
            throw call.invalid("a weight has \(array.count) values for \(channels) channels")
        }
        let onnxAxis = x.onnxAxis(axis)
        if onnxAxis == 1 {
            let inputs = [x.name, try call.constant("gamma", gamma), try call.constant("beta", beta),
                          try call.constant("moving_mean", mean), try call.constant("moving_variance", variance)]
            let output = call.graph.op("BatchNormalization", inputs, [.float("epsilon", Float(epsilon))], hint: call.hint("BatchNormalization"))
            return [x.with(name: output)]
        }
        var multiplier = [Float](repeating: 0, count: channels)
        var offset = [Float](repeating: 0, count: channels)
        for channel in 0..<channels {
            multiplier[channel] = gamma.values[channel] / (variance.values[channel] + Float(epsilon)).squareRoot()
            offset[channel] = beta.values[channel] - mean.values[channel] * multiplier[channel]
        }
        let rank = x.rank
        var broadcast = [Int](repeating: 1, count: rank - onnxAxis)
        broadcast[0] = channels
        let scaled = call.graph.op("Mul", [x.name, try call.graph.floats("\(call.scopedName)/multiplier", multiplier, shape: broadcast)],
                                   hint: call.hint("Mul"))
        let output = call.graph.op("Add", [scaled, try call.graph.floats("\(call.scopedName)/offset", offset, shape: broadcast)],
                                   hint: call.hint("Add"))
        return [x.with(name: output)]
    }
}
