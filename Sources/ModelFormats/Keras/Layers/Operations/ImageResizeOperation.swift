import ModelIR

/// `keras.ops.image.resize(images, size, …)` on a batch of channels-last images, as
/// `KerasImageResize` describes.
enum ImageResizeOperationMapper: KerasLayerMapper {
    static let classNames = ["Resize"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let images) = try call.operand(0, keyword: "images") else { throw call.unsupported("constant images", "resize a tensor") }
        guard let size = call.parameter("size", position: 1)?.ints else { throw call.invalid("the configuration has no size") }
        return [try KerasImageResize(call, size: size).apply(to: images, call: call)]
    }
}
