import ModelIR

/// keras.applications' `CustomScaleLayer` (InceptionResNetV2's residual): inputs[0] + inputs[1]·scale;
/// tf.keras 2 registers it as `Custom>CustomScaleLayer`.
enum CustomScaleLayerMapper: KerasLayerMapper {
    static let classNames = ["CustomScaleLayer", "Custom>CustomScaleLayer"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let inputs = MergeMapper.commonLayout(call.inputs, graph: call.graph)
        guard inputs.count == 2 else { throw call.invalid("expects two inputs, got \(inputs.count)") }
        guard let scale = call.config["scale"]?.double else { throw call.invalid("the configuration has no scale") }
        let graph = call.graph
        let scaled = graph.op("Mul", [inputs[1].name, graph.scalar(Float(scale))], hint: call.hint("scaled"))
        let output = graph.op("Add", [inputs[0].name, scaled], hint: call.hint("Add"))
        return [inputs[0].with(name: output, shape: MergeMapper.broadcastShape(inputs.map(\.shape)))]
    }
}
