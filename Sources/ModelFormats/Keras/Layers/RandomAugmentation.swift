import ModelIR

/// The image augmentation layers, which Keras 3 applies only in training: at inference
/// (`model.predict`, `training=False`) each passes its input through, those that cast first
/// (`BaseImagePreprocessingLayer.transform_images`, RandomFlip, RandomGaussianBlur, RandomSharpness,
/// RandomErasing, CutMix, Solarization) as float32. AutoContrast, CLAHE and the like change images at
/// inference too and are not among them.
///
/// `RandomCrop` passes its input through at inference in Keras 3.15 (earlier Keras 3 releases and
/// tf.keras 2 centre-crop and resize instead), so it is converted only when its `height` and
/// `width` equal the input's, where the two agree. `RandomHeight` and `RandomWidth` (tf.keras 2)
/// pass their input through at inference as well.
enum RandomAugmentationMapper: KerasLayerMapper {
    static let classNames = ["RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation", "RandomBrightness",
                             "RandomColorDegeneration", "RandomColorJitter", "RandomElasticTransform", "RandomErasing",
                             "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPerspective",
                             "RandomPosterization", "RandomSaturation", "RandomSharpness", "RandomShear", "AugMix", "RandAugment",
                             "CutMix", "MixUp", "Solarization", "Equalization", "MaxNumBoundingBoxes", "RandomCrop", "RandomHeight",
                             "RandomWidth"]

    /// The layers whose inference path casts the images to the layer's float compute dtype.
    private static let castingClassNames: Set<String> = ["RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
                                                         "RandomElasticTransform", "RandomErasing", "RandomGaussianBlur",
                                                         "RandomPerspective", "RandomSharpness", "RandomShear", "CutMix", "Solarization"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        if call.className == "RandomCrop" {
            try call.requireChannelsLast()
            let crop = [try call.requiredInt("height"), try call.requiredInt("width")]
            guard x.rank == 4, x.shape[1] == crop[0], x.shape[2] == crop[1] else {
                let size = x.rank == 4 ? "images of height \(x.shape[1].map(String.init) ?? "?") and width \(x.shape[2].map(String.init) ?? "?")"
                    : "a tensor of rank \(x.rank)"
                throw call.unsupported("cropping \(size) to height \(crop[0]) and width \(crop[1])",
                                       "Keras 3.15 passes the input through at inference while earlier Keras releases centre-crop and resize it; "
                                       + "use CenterCrop for a crop at inference, or a RandomCrop as large as its input")
            }
        }
        guard castingClassNames.contains(call.className), !x.dataType.isFloatingPoint else { return [x] }
        return [ElementwiseBinaryOperationMapper.cast(x, to: .float, call: call, suffix: "images")]
    }
}
