import ModelIR

/// `Reshape` to `target_shape` (the batch axis kept).
enum ReshapeMapper: KerasLayerMapper {
    static let classNames = ["Reshape"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        guard let target = call.config["target_shape"]?.ints else { throw call.invalid("the configuration has no target_shape") }
        var shape: [Int?] = target.map { $0 < 0 ? nil : $0 }
        let known = knownProduct(x.shape.dropFirst())
        if let known, let unknownIndex = target.firstIndex(of: -1) {
            let rest = knownProduct(target.filter { $0 >= 0 }.map { Optional($0) }) ?? 0
            if rest > 0, known % rest == 0 { shape[unknownIndex] = known / rest }
        }
        let output = call.graph.reshape(x.name, to: [0] + target, hint: call.hint("Reshape"))
        return [x.with(name: output, shape: [nil] + shape)]
    }
}
