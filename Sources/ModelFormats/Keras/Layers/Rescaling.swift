import ModelIR

/// `Rescaling`: x·scale + offset.
enum RescalingMapper: KerasLayerMapper {
    static let classNames = ["Rescaling"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        guard let scale = call.config["scale"]?.doubles, !scale.isEmpty else { throw call.invalid("the configuration has no scale") }
        let offset = call.config["offset"]?.doubles ?? [0]
        let graph = call.graph
        let scaleName = scale.count == 1 ? graph.scalar(Float(scale[0])) : try graph.floats("\(call.scopedName)/scale", scale.map { Float($0) }, shape: [scale.count])
        var output = graph.op("Mul", [x.name, scaleName], hint: call.hint("Mul"))
        if offset.contains(where: { $0 != 0 }) {
            let offsetName = offset.count == 1 ? graph.scalar(Float(offset[0])) : try graph.floats("\(call.scopedName)/offset", offset.map { Float($0) }, shape: [offset.count])
            output = graph.op("Add", [output, offsetName], hint: call.hint("Add"))
        }
        return [x.with(name: output)]
    }
}
