import ModelIR

/// `ReLU` with Keras's `max_value`, `negative_slope` and `threshold`:
/// y = x·[x > threshold] (clipped to max_value) − negative_slope·relu(threshold − x).
enum ReLUMapper: KerasLayerMapper {
    static let classNames = ["ReLU"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        let graph = call.graph
        let maxValue = call.config["max_value"]?.double.map { Float($0) }
        let slope = Float(try call.double("negative_slope", default: 0))
        let threshold = Float(try call.double("threshold", default: 0))
        if slope != 0, maxValue == nil, threshold == 0 {
            return [x.with(name: graph.op("LeakyRelu", [x.name], [.float("alpha", slope)], hint: call.hint("LeakyRelu")))]
        }
        var positive: String
        var clipped = maxValue == nil
        if threshold != 0 {
            let mask = graph.op("Cast", [graph.op("Greater", [x.name, graph.scalar(threshold)], hint: call.hint("above"))],
                                [.int("to", 1)], hint: call.hint("mask"))
            positive = graph.op("Mul", [x.name, mask], hint: call.hint("thresholded"))
        } else if maxValue == 6 {
            positive = graph.op("Clip", [x.name, graph.scalar(0), graph.scalar(6)], hint: call.hint("Relu6"))
            clipped = true
        } else {
            positive = graph.op("Relu", [x.name], hint: call.hint("Relu"))
        }
        if !clipped, let maxValue {
            positive = graph.op("Clip", [positive, graph.scalar(0), graph.scalar(maxValue)], hint: call.hint("Clip"))
        }
        if slope != 0 {
            let below = threshold != 0
                ? graph.op("Sub", [graph.scalar(threshold), x.name], hint: call.hint("below"))
                : graph.op("Neg", [x.name], hint: call.hint("below"))
            let negative = graph.op("Mul", [graph.op("Relu", [below], hint: call.hint("negative_part")), graph.scalar(slope)],
                                    hint: call.hint("negative"))
            positive = graph.op("Sub", [positive, negative], hint: call.hint("ReLU"))
        }
        return [x.with(name: positive)]
    }
}
