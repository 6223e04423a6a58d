import ModelIR

/// `RepeatVector`: [batch, features] → [batch, n, features].
enum RepeatVectorMapper: KerasLayerMapper {
    static let classNames = ["RepeatVector"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        guard x.rank == 2 else { throw call.invalid("expects a rank-2 input, got \(x.shape)") }
        let count = try call.requiredInt("n")
        guard count >= 1 else { throw call.invalid("n must be at least 1, got \(count)") }
        let expanded = call.graph.unsqueeze(x.name, axes: [1], hint: call.hint("Unsqueeze"))
        let output = call.graph.op("Tile", [expanded, call.graph.int64s([1, count, 1])], hint: call.hint("Tile"))
        return [x.with(name: output, shape: [nil, count, x.shape[1]])]
    }
}
