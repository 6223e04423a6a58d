import ModelIR

/// `UpSampling1D` (repeat along time) and `UpSampling2D` (Resize, nearest or bilinear with
/// TensorFlow's half-pixel centres) on channels-first data.
enum UpSamplingMapper: KerasLayerMapper {
    static let classNames = ["UpSampling1D", "UpSampling2D", "UpSampling3D"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let (x, spatial) = try call.spatialInput()
        let graph = call.graph
        if call.className == "UpSampling1D" {
            let native = graph.nativeValue(x)
            let size = try call.positiveInts("size", count: 1, default: [2])[0]
            let expanded = graph.unsqueeze(native.name, axes: [2], hint: call.hint("Unsqueeze"))
            let tiled = graph.op("Tile", [expanded, graph.int64s([1, 1, size, 1])], hint: call.hint("Tile"))
            guard let channels = native.shape[2] else { throw call.unsupported("an unknown channel count", "fix the channel count") }
            let output = graph.reshape(tiled, to: [0, -1, channels], hint: call.hint("Reshape"))
            return [native.with(name: output, shape: [nil, native.shape[1].map { $0 * size }, channels])]
        }
        let sizes = try call.positiveInts("size", count: spatial, default: Array(repeating: 2, count: spatial))
        let interpolation = call.string("interpolation", default: "nearest")
        var attributes: [Attribute]
        switch interpolation {
        case "nearest":
            attributes = [.string("mode", "nearest"), .string("coordinate_transformation_mode", "asymmetric"), .string("nearest_mode", "floor")]
        case "bilinear" where spatial == 2:
            attributes = [.string("mode", "linear"), .string("coordinate_transformation_mode", "half_pixel")]
        default:
            throw call.unsupported("interpolation='\(interpolation)'", "use 'nearest' or, for UpSampling2D, 'bilinear'")
        }
        let scales = try graph.floats("\(call.scopedName)/scales", [1, 1] + sizes.map { Float($0) }, shape: [spatial + 2])
        let output = graph.op("Resize", [graph.channelsFirst(x), "", scales], attributes, hint: call.hint("Resize"))
        var shape = x.shape
        for axis in 0..<spatial { shape[axis + 1] = shape[axis + 1].map { $0 * sizes[axis] } }
        return [KerasValue(name: output, shape: shape, layout: .channelsFirst, dataType: x.dataType)]
    }
}
