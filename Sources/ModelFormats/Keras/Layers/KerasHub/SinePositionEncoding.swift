import Foundation
import ModelIR

/// KerasHub's `SinePositionEncoding`: for position p (from a constant `start_index`) and feature
/// j of F, sin(p·ω_j) for even j and cos(p·ω_j) for odd j, ω_j = (1/max_wavelength)^(2⌊j/2⌋/F),
/// broadcast to the input's shape; the input's values are not used. The features must be known; a
/// sequence of unknown length gets its positions at run time. A `positions` tensor is refused.
enum SinePositionEncodingMapper: KerasLayerMapper {
    static let classNames = ["keras_hub>SinePositionEncoding"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        guard x.rank >= 2, let width = x.shape[x.rank - 1] else {
            throw call.unsupported("an input of shape \(x.shape)", "give the input a fixed feature size")
        }
        let maxWavelength = try call.double("max_wavelength", default: 10_000)
        let start = Float(call.keywordConstant("start_index")?.int ?? 0)
        let minFrequency = Double(Float(1 / maxWavelength))
        let timescales = (0..<width).map { Float(pow(minFrequency, Double(2 * ($0 / 2)) / Double(width))) }
        let graph = call.graph
        let table: String
        if let length = x.shape[x.rank - 2] {
            var values: [Float] = []
            values.reserveCapacity(length * width)
            for position in 0..<length {
                for feature in 0..<width {
                    let angle = Double((Float(position) + start) * timescales[feature])
                    values.append(Float(feature % 2 == 0 ? sin(angle) : cos(angle)))
                }
            }
            table = try call.constant("encoding", KerasArray(shape: [length, width], values: values))
        } else {
            let angles = graph.op("Mul", [KerasPositions.column(of: x, axis: x.rank - 2, start: start, call: call),
                                          try call.constant("timescales", KerasArray(shape: [width], values: timescales))], hint: call.hint("angles"))
            let sineFeatures: Tensor
            do { sineFeatures = try Tensor(name: "", shape: [width], scalars: (0..<width).map { $0 % 2 == 0 }) } catch {
                throw call.invalid("the feature pattern cannot be built: \(error)")
            }
            table = graph.op("Where", [graph.initializer("\(call.scopedName)/sine_features", sineFeatures),
                                       graph.op("Sin", [angles], hint: call.hint("sin")), graph.op("Cos", [angles], hint: call.hint("cos"))],
                             hint: call.hint("encoding"))
        }
        let output = graph.op("Expand", [table, graph.op("Shape", [x.name], hint: call.hint("input_shape"))], hint: call.hint("broadcast"))
        return [KerasValue(name: output, shape: x.shape, layout: .native, dataType: .float)]
    }
}

/// The positions of a sequence whose length is known at run time only.
enum KerasPositions {
    /// start, start + 1, … along `axis` of `x`, as float32 [length, 1].
    static func column(of x: KerasValue, axis: Int, start: Float, call: KerasLayerCall) -> String {
        let graph = call.graph
        let length = graph.op("Cast", [graph.op("Gather", [graph.op("Shape", [x.name], hint: call.hint("shape")),
                                                           graph.initializer("\(call.scopedName)/sequence_axis", Tensor(name: "", scalar: Int64(axis)))],
                                                [.int("axis", 0)], hint: call.hint("length"))],
                              [.int("to", Int(DataType.float.rawValue))], hint: call.hint("length_float"))
        let first = graph.scalar(start)
        let end = graph.op("Add", [length, first], hint: call.hint("end"))
        let positions = graph.op("Range", [first, end, graph.scalar(1)], hint: call.hint("positions"))
        return graph.unsqueeze(positions, axes: [1], hint: call.hint("positions_column"))
    }
}
