import Foundation
import ModelIR

/// KerasHub's `RotaryEmbedding` (RoPE): x·cos + rotate_half(x)·sin along `feature_axis`, with
/// positions along `sequence_axis` (from a constant `start_index`), rotate_half(x) = [−x₂, x₁]
/// for the halves x₁, x₂ of the features, and angles p·θ_i, θ_i = max_wavelength^(−2i/D) (D the
/// features, or `denominator_dim`) divided by `scaling_factor` (`rope_type` 'linear') or by
/// scaling_factor^(D/(D−2)) ('dynamic'), repeated for both halves. The features must be known; a
/// sequence of unknown length gets its angles at run time. `rope_type='yarn'` and a `positions` tensor are refused.
enum RotaryEmbeddingMapper: KerasLayerMapper {
    static let classNames = ["keras_hub>RotaryEmbedding"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        let sequenceAxis = try call.axis(try call.int("sequence_axis", default: 1), rank: x.rank)
        let featureAxis = try call.axis(try call.int("feature_axis", default: -1), rank: x.rank)
        guard sequenceAxis != featureAxis, sequenceAxis > 0, featureAxis > 0 else {
            throw call.invalid("sequence_axis and feature_axis must be two different axes after the batch")
        }
        guard let width = x.shape[featureAxis], width % 2 == 0 else {
            throw call.unsupported("an input of shape \(x.shape)", "give the input an even, fixed feature size")
        }
        let ropeType = call.string("rope_type", default: "linear")
        let scaling = try call.double("scaling_factor", default: 1)
        let denominator = Double(try call.int("denominator_dim", default: width))
        let maxWavelength = Float(try call.double("max_wavelength", default: 10_000))
        var inverseFrequencies: [Float] = stride(from: 0, to: width, by: 2).map { index in
            Float(pow(Double(maxWavelength), -Double(Float(Double(index) / denominator))))
        }
        switch ropeType {
        case "linear":
            inverseFrequencies = inverseFrequencies.map { $0 / Float(scaling) }
        case "dynamic":
            let exponent = Double(Float(width) / Float(max(1, width - 2)))
            inverseFrequencies = inverseFrequencies.map { $0 / Float(pow(scaling, exponent)) }
        default:
            throw call.unsupported("rope_type='\(ropeType)'", "use rope_type 'linear' or 'dynamic'")
        }
        let start = Float(call.keywordConstant("start_index")?.int ?? 0)
        let frequencies = (0..<width).map { inverseFrequencies[$0 % (width / 2)] }
        let graph = call.graph
        var shape = [Int](repeating: 1, count: x.rank)
        shape[featureAxis] = width
        let cosines: String, sines: String
        if let length = x.shape[sequenceAxis] {
            var cosineValues: [Float] = [], sineValues: [Float] = []
            for position in 0..<length {
                for feature in 0..<width {
                    let angle = Double((Float(position) + start) * frequencies[feature])
                    cosineValues.append(Float(cos(angle)))
                    sineValues.append(Float(sin(angle)))
                }
            }
            shape[sequenceAxis] = length
            let order = sequenceAxis < featureAxis ? [0, 1] : [1, 0]
            let place = { (values: [Float]) in KerasArray(shape: [length, width], values: values).permuted(order).reshaped(shape) }
            cosines = try call.constant("cos", place(cosineValues))
            sines = try call.constant("sin", place(sineValues))
        } else {
            let angles = graph.op("Mul", [KerasPositions.column(of: x, axis: sequenceAxis, start: start, call: call),
                                          try call.constant("frequencies", KerasArray(shape: [width], values: frequencies))], hint: call.hint("angles"))
            let placed = graph.transpose(angles, perm: sequenceAxis < featureAxis ? [0, 1] : [1, 0], hint: call.hint("angles_in_order"))
            let others = (0..<x.rank).filter { $0 != sequenceAxis && $0 != featureAxis }
            let broadcastable = graph.unsqueeze(placed, axes: others, hint: call.hint("angles_broadcast"))
            cosines = graph.op("Cos", [broadcastable], hint: call.hint("cos"))
            sines = graph.op("Sin", [broadcastable], hint: call.hint("sin"))
        }
        let half = width / 2
        let first = graph.op("Slice", [x.name, graph.int64s([0]), graph.int64s([half]), graph.int64s([featureAxis])], hint: call.hint("first_half"))
        let second = graph.op("Slice", [x.name, graph.int64s([half]), graph.int64s([width]), graph.int64s([featureAxis])], hint: call.hint("second_half"))
        let rotated = graph.op("Concat", [graph.op("Neg", [second], hint: call.hint("negated_second_half")), first], [.int("axis", featureAxis)],
                               hint: call.hint("rotated"))
        let output = graph.op("Add", [graph.op("Mul", [x.name, cosines], hint: call.hint("x_cos")),
                                      graph.op("Mul", [rotated, sines], hint: call.hint("rotated_sin"))],
                              hint: call.hint("RotaryEmbedding"))
        return [x.with(name: output)]
    }
}
