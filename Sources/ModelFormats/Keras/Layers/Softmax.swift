import ModelIR

/// `Softmax` over one axis (default the last).
enum SoftmaxMapper: KerasLayerMapper {
    static let classNames = ["Softmax"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        let axes = call.config["axis"]?.ints ?? [-1]
        guard axes.count == 1 else { throw call.unsupported("axis=\(axes)", "use a single softmax axis") }
        let output = call.graph.op("Softmax", [x.name], [.int("axis", x.onnxAxis(axes[0]))], hint: call.hint("Softmax"))
        return [x.with(name: output)]
    }
}
