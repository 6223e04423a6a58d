import ModelIR

/// `keras.ops.tile(x, repeats)` (fewer repeats than axes count from the last axis, NumPy's rule) and
/// `keras.ops.repeat(x, repeats, axis)` (each element repeated `repeats` times in place along a
/// non-batch axis), in Keras's layout.
enum TileOperationMapper: KerasLayerMapper {
    static let classNames = ["Tile", "Repeat"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let input) = try call.operand(0, keyword: "x") else { throw call.unsupported("a constant argument", "repeat a tensor") }
        let graph = call.graph
        let x = graph.nativeValue(input)
        guard let repeats = call.parameter("repeats", position: 1)?.ints, !repeats.isEmpty, repeats.allSatisfy({ $0 >= 0 }) else {
            throw call.unsupported("repeats that are not non-negative integers", "give constant repeats")
        }
        if call.className == "Tile" {
            guard repeats.count <= x.rank else {
                throw call.unsupported("\(repeats.count) repeats for a tensor of rank \(x.rank)", "give at most one repeat per axis")
            }
            let full = Array(repeating: 1, count: x.rank - repeats.count) + repeats
            let output = graph.op("Tile", [x.name, graph.int64s(full)], hint: call.hint("Tile"))
            var shape = zip(x.shape, full).map { size, count in size.map { $0 * count } }
            if full[0] != 1 { shape[0] = nil }
            return [x.with(name: output, shape: shape)]
        }
        guard let rawAxis = call.parameter("axis", position: 2)?.int else {
            throw call.unsupported("repeat without an axis (which flattens the batch)", "give a non-batch axis")
        }
        let axis = try call.axis(rawAxis, rank: x.rank)
        guard axis >= 1 else { throw call.unsupported("repeating along the batch axis", "repeat along another axis") }
        guard Set(repeats).count == 1, repeats.count == 1 || repeats.count == x.shape[axis] else {
            throw call.unsupported("per-element repeats \(repeats)", "repeat every element the same number of times")
        }
        let count = repeats[0]
        var trailing: [Int] = []
        for size in x.shape[(axis + 1)...] {
            guard let size else { throw call.unsupported("repeat before an axis of unknown size", "fix the sizes after the repeated axis") }
            trailing.append(size)
        }
        let expanded = graph.unsqueeze(x.name, axes: [axis + 1], hint: call.hint("expanded"))
        var tiles = Array(repeating: 1, count: x.rank + 1)
        tiles[axis + 1] = count
        let tiled = graph.op("Tile", [expanded, graph.int64s(tiles)], hint: call.hint("tiled"))
        let output = graph.reshape(tiled, to: Array(repeating: 0, count: axis) + [-1] + trailing, hint: call.hint("Repeat"))
        var shape = x.shape
        shape[axis] = shape[axis].map { $0 * count }
        return [x.with(name: output, shape: shape)]
    }
}
