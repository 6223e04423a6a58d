import ModelIR

/// `AutoContrast`, which Keras applies at inference too: per image and channel, values are
/// stretched so that the smallest becomes the low end of `value_range` and the largest the high
/// end (computed in 0…255 and clipped there, as Keras does); a channel whose values are all equal
/// keeps them (Keras's NaN fallback to the input). Images are [batch, height, width, channels].
enum AutoContrastMapper: KerasLayerMapper {
    static let classNames = ["AutoContrast"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        guard x.rank == 4, x.dataType == .float else {
            throw call.unsupported("an input of shape \(x.shape) and type \(x.dataType)", "pass float32 images [batch, height, width, channels]")
        }
        guard let range = (call.config["value_range"] ?? .array([.number(0), .number(255)])).doubles, range.count == 2, range[0] != range[1] else {
            throw call.invalid("'value_range' is not two different numbers")
        }
        let low = Float(min(range[0], range[1])), high = Float(max(range[0], range[1]))
        let graph = call.graph
        var images = x.name
        if low != 0 || high != 255 {
            let fraction = graph.op("Div", [graph.op("Sub", [x.name, graph.scalar(low)], hint: call.hint("from_low")), graph.scalar(high - low)],
                                    hint: call.hint("fraction"))
            images = graph.op("Mul", [fraction, graph.scalar(255)], hint: call.hint("in_0_255"))
        }
        let smallest = graph.reduce("ReduceMin", images, axes: [1, 2], keepDims: true, hint: call.hint("min"))
        let largest = graph.reduce("ReduceMax", images, axes: [1, 2], keepDims: true, hint: call.hint("max"))
        let scale = graph.op("Div", [graph.scalar(255), graph.op("Sub", [largest, smallest], hint: call.hint("spread"))], hint: call.hint("scale"))
        let offset = graph.op("Neg", [graph.op("Mul", [smallest, scale], hint: call.hint("low_scaled"))], hint: call.hint("offset"))
        let stretched = graph.op("Add", [graph.op("Mul", [images, scale], hint: call.hint("scaled")), offset], hint: call.hint("stretched"))
        var result = graph.op("Clip", [stretched, graph.scalar(0), graph.scalar(255)], hint: call.hint("clipped"))
        if low != 0 || high != 255 {
            let fraction = graph.op("Div", [result, graph.scalar(255)], hint: call.hint("result_fraction"))
            result = graph.op("Add", [graph.op("Mul", [fraction, graph.scalar(high - low)], hint: call.hint("rescaled")), graph.scalar(low)],
                              hint: call.hint("in_value_range"))
        }
        let output = graph.op("Where", [graph.op("IsNaN", [result], hint: call.hint("undefined")), x.name, result], hint: call.hint("AutoContrast"))
        return [x.with(name: output)]
    }
}
