import ModelIR

/// `CenterCrop`: the centred `height` × `width` window, starting at ⌊(size − crop)/2⌋; an input
/// smaller than the crop along either axis is instead cut to the crop's aspect ratio and resized
/// bilinearly to it (Keras's `smart_resize`). Non-float images are cast to float32 first.
enum CenterCropMapper: KerasLayerMapper {
    static let classNames = ["CenterCrop"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        try call.requireChannelsLast()
        var x = try call.input()
        let crop = [try call.requiredInt("height"), try call.requiredInt("width")]
        guard crop.allSatisfy({ $0 >= 1 }) else { throw call.invalid("height and width must be positive, got \(crop)") }
        guard x.rank == 4, let height = x.shape[1], let width = x.shape[2] else {
            throw call.unsupported("cropping an input of shape \(x.shape)", "crop batches of images [batch, height, width, channels] of known size")
        }
        if !x.dataType.isFloatingPoint { x = ElementwiseBinaryOperationMapper.cast(x, to: .float, call: call, suffix: "images") }
        if height >= crop[0], width >= crop[1] {
            let starts = [(height - crop[0]) / 2, (width - crop[1]) / 2]
            return [KerasImageResize.slice(x, starts: starts, sizes: crop, call: call)]
        }
        let resize = KerasImageResize(height: crop[0], width: crop[1], interpolation: "bilinear", cropToAspectRatio: true)
        return [try resize.apply(to: x, call: call)]
    }
}
