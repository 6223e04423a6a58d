import ModelIR

/// `ZeroPadding1D/2D/3D`: Pad with zeros on the spatial axes, in the input's layout.
enum ZeroPaddingMapper: KerasLayerMapper {
    static let classNames = ["ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        try call.requireChannelsLast()
        let x = try call.input()
        let amounts = try spatialPairs(call, key: "padding", rank: x.rank)
        var begins = [Int](repeating: 0, count: x.rank)
        var ends = [Int](repeating: 0, count: x.rank)
        var shape = x.shape
        for (index, pair) in amounts.enumerated() {
            let axis = x.onnxAxis(index + 1)
            begins[axis] = pair.0
            ends[axis] = pair.1
            shape[index + 1] = shape[index + 1].map { $0 + pair.0 + pair.1 }
        }
        let output = call.graph.op("Pad", [x.name, call.graph.int64s(begins + ends)], [.string("mode", "constant")], hint: call.hint("Pad"))
        return [x.with(name: output, shape: shape)]
    }

    /// Keras's (before, after) amounts per spatial axis from an int, a pair per axis, or one
    /// symmetric amount per axis.
    static func spatialPairs(_ call: KerasLayerCall, key: String, rank: Int) throws(KerasImportError) -> [(Int, Int)] {
        let spatial = rank - 2
        guard spatial >= 1, let raw = call.config[key] else { throw call.invalid("the configuration has no \(key) for input rank \(rank)") }
        if let single = raw.int, raw.array == nil, single >= 0 { return Array(repeating: (single, single), count: spatial) }
        guard let items = raw.array else { throw call.invalid("\(key) is not a number or a list") }
        if spatial == 1, items.count == 2, let a = items[0].int, let b = items[1].int, items[0].array == nil {
            guard a >= 0, b >= 0 else { throw call.invalid("\(key) holds a negative amount") }
            return [(a, b)]
        }
        guard items.count == spatial else { throw call.invalid("\(key) has \(items.count) entries for \(spatial) spatial axes") }
        var pairs: [(Int, Int)] = []
        for item in items {
            if let single = item.int, item.array == nil {
                pairs.append((single, single))
            } else if let pair = item.ints, pair.count == 2 {
                pairs.append((pair[0], pair[1]))
            } else {
                throw call.invalid("\(key) entry \(item) is not an amount or a pair")
            }
        }
        guard pairs.allSatisfy({ $0.0 >= 0 && $0.1 >= 0 }) else { throw call.invalid("\(key) holds a negative amount") }
        return pairs
    }
}
