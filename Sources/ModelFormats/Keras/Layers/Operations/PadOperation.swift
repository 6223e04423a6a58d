import ModelIR

/// `keras.ops.pad(x, pad_width, mode, constant_values)`: `pad_width` one (before, after) pair per axis
/// (or one pair for all), in mode constant (with `constant_values`, default 0), reflect or edge.
enum PadOperationMapper: KerasLayerMapper {
    static let classNames = ["Pad"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let input) = try call.operand(0, keyword: "x") else { throw call.unsupported("a constant argument", "pad a tensor") }
        let graph = call.graph
        let x = graph.nativeValue(input)
        guard let flat = call.parameter("pad_width", position: 1)?.doubles?.map({ Int($0) }), flat.allSatisfy({ $0 >= 0 }),
              flat.count == 2 || flat.count == 2 * x.rank else {
            throw call.unsupported("this pad_width", "give one non-negative (before, after) pair per axis")
        }
        let pairs = flat.count == 2 ? Array(repeating: (flat[0], flat[1]), count: x.rank) : (0..<x.rank).map { (flat[2 * $0], flat[2 * $0 + 1]) }
        let mode = call.parameter("mode", position: 2)?.string ?? "constant"
        guard ["constant", "reflect", "edge"].contains(mode) else { throw call.unsupported("mode='\(mode)'", "use mode 'constant', 'reflect' or 'edge'") }
        var inputs = [x.name, graph.int64s(pairs.map(\.0) + pairs.map(\.1))]
        if mode == "constant", let raw = call.parameter("constant_values", position: 3), raw != .null {
            guard let value = KerasConstant(raw), value.count == 1 else { throw call.unsupported("constant_values \(raw)", "pad with one number") }
            inputs.append(try call.constantTensor(KerasConstant(values: value.values, shape: [], isFloat: value.isFloat), as: x.dataType, what: "constant_value"))
        }
        let output = graph.op("Pad", inputs, [.string("mode", mode)], hint: call.hint("Pad"))
        var shape = zip(x.shape, pairs).map { size, pair in size.map { $0 + pair.0 + pair.1 } }
        shape[0] = nil
        return [x.with(name: output, shape: shape)]
    }
}
