import ModelIR

/// `Cropping1D/2D/3D`: Slice off the spatial borders, in the input's layout.
enum CroppingMapper: KerasLayerMapper {
    static let classNames = ["Cropping1D", "Cropping2D", "Cropping3D"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        try call.requireChannelsLast()
        let x = try call.input()
        let amounts = try ZeroPaddingMapper.spatialPairs(call, key: "cropping", rank: x.rank)
        var starts: [Int] = []
        var ends: [Int] = []
        var axes: [Int] = []
        var shape = x.shape
        for (index, pair) in amounts.enumerated() {
            axes.append(x.onnxAxis(index + 1))
            starts.append(pair.0)
            ends.append(pair.1 > 0 ? -pair.1 : Int(Int64.max))
            shape[index + 1] = shape[index + 1].map { $0 - pair.0 - pair.1 }
        }
        let graph = call.graph
        let output = graph.op("Slice", [x.name, graph.int64s(starts), graph.int64s(ends), graph.int64s(axes)], hint: call.hint("Slice"))
        return [x.with(name: output, shape: shape)]
    }
}
