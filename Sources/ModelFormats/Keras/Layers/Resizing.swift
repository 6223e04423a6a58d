import ModelIR

/// `Resizing`: images resized to `height` × `width` as `KerasImageResize` describes (bilinear,
/// nearest or bicubic, optionally cropped or padded to the target's aspect ratio first).
enum ResizingMapper: KerasLayerMapper {
    static let classNames = ["Resizing"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let resize = try KerasImageResize(call, size: [try call.requiredInt("height"), try call.requiredInt("width")])
        return [try resize.apply(to: try call.input(), call: call)]
    }
}
