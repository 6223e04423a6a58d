import ModelIR

/// `ELU` with its `alpha`.
enum ELUMapper: KerasLayerMapper {
    static let classNames = ["ELU"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        let alpha = Float(try call.double("alpha", default: 1))
        return [x.with(name: call.graph.op("Elu", [x.name], [.float("alpha", alpha)], hint: call.hint("Elu")))]
    }
}
