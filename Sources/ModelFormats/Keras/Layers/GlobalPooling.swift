import ModelIR

/// `GlobalMax/AveragePooling1D/2D/3D`: ReduceMax or ReduceMean over the spatial axes, in
/// whichever layout the input already has.
enum GlobalPoolingMapper: KerasLayerMapper {
    static let classNames = ["GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
                             "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
                             "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        try call.requireChannelsLast()
        guard x.rank >= 3 else { throw call.invalid("expects an input of rank 3 or more, got \(x.shape)") }
        let keepDims = call.bool("keepdims", default: false)
        let axes = Array(1..<(x.rank - 1)).map { x.onnxAxis($0) }
        let op = call.className.hasPrefix("GlobalMax") ? "ReduceMax" : "ReduceMean"
        let output = call.graph.reduce(op, x.name, axes: axes, keepDims: keepDims, hint: call.hint(op))
        if keepDims {
            return [x.with(name: output, shape: [nil] + Array(repeating: 1, count: x.rank - 2) + [x.shape[x.rank - 1]])]
        }
        return [KerasValue(name: output, shape: [nil, x.shape[x.rank - 1]], layout: .native, dataType: x.dataType)]
    }
}
