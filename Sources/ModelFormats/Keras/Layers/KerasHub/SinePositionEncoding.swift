import Foundation
import ModelIR

/// KerasHub's `SinePositionEncoding`: for position p (from a constant `start_index`) and feature
/// j of F, sin(p·ω_j) for even j and cos(p·ω_j) for odd j, ω_j = (1/max_wavelength)^(2⌊j/2⌋/F),
/// broadcast to the input's shape; the input's values are not used. The length and the features
/// must be known. A `positions` tensor is refused.
enum SinePositionEncodingMapper: KerasLayerMapper {
    static let classNames = ["keras_hub>SinePositionEncoding"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        guard x.rank >= 2, let length = x.shape[x.rank - 2], let width = x.shape[x.rank - 1] else {
            throw call.unsupported("an input of shape \(x.shape)", "give the input a fixed length and feature size")
        }
        let maxWavelength = try call.double("max_wavelength", default: 10_000)
        let start = Double(call.keywordConstant("start_index")?.int ?? 0)
        let minFrequency = Double(Float(1 / maxWavelength))
        var values: [Float] = []
        values.reserveCapacity(length * width)
        for position in 0..<length {
            for feature in 0..<width {
                let timescale = Double(Float(pow(minFrequency, Double(2 * (feature / 2)) / Double(width))))
                let angle = Double(Float((Double(position) + start) * timescale))
                values.append(Float(feature % 2 == 0 ? sin(angle) : cos(angle)))
            }
        }
        let graph = call.graph
        let table = try call.constant("encoding", KerasArray(shape: [length, width], values: values))
        let output = graph.op("Expand", [table, graph.op("Shape", [x.name], hint: call.hint("input_shape"))], hint: call.hint("broadcast"))
        return [KerasValue(name: output, shape: x.shape, layout: .native, dataType: .float)]
    }
}
