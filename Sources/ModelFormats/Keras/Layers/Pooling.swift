import ModelIR

/// `MaxPooling1D/2D/3D`, `AveragePooling1D/2D/3D`: MaxPool and AveragePool on channels-first
/// data; 'same' average pools leave the padding out of the count, as TensorFlow does.
enum PoolingMapper: KerasLayerMapper {
    static let classNames = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
                             "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let (x, spatial) = try call.spatialInput()
        let isMax = call.className.hasPrefix("Max")
        let poolSize = try call.positiveInts("pool_size", count: spatial, default: Array(repeating: 2, count: spatial))
        let strides = try call.positiveInts("strides", count: spatial, default: poolSize)
        let padding = call.string("padding", default: "valid")
        let ones = Array(repeating: 1, count: spatial)
        let spatialSizes = Array(x.shape[1...spatial])
        var attributes: [Attribute] = [.ints("kernel_shape", poolSize), .ints("strides", strides)]
        attributes += try KerasPadding.attributes(padding: padding, spatial: spatialSizes, kernel: poolSize, strides: strides,
                                                  dilations: ones, call: call)
        if !isMax { attributes.append(.int("count_include_pad", 0)) }
        let output = call.graph.op(isMax ? "MaxPool" : "AveragePool", [call.graph.channelsFirst(x)], attributes,
                                   hint: call.hint(isMax ? "MaxPool" : "AveragePool"))
        let outSizes = spatialSizes.indices.map {
            KerasPadding.outputSize(input: spatialSizes[$0], kernel: poolSize[$0], stride: strides[$0], dilation: 1, padding: padding)
        }
        return [KerasValue(name: output, shape: [nil] + outSizes + [x.shape[x.rank - 1]], layout: .channelsFirst, dataType: x.dataType)]
    }
}
