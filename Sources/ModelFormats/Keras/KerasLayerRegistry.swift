/// Every layer mapper, in one place: a new mapper is added here and nowhere else.
enum KerasLayerRegistry {
    static let mappers: [Entry] = [
        Entry(DenseMapper.self),
        Entry(ConvMapper.self),
        Entry(Conv2DTransposeMapper.self),
        Entry(DepthwiseConv2DMapper.self),
        Entry(SeparableConv2DMapper.self),
        Entry(PoolingMapper.self),
        Entry(GlobalPoolingMapper.self),
        Entry(BatchNormalizationMapper.self),
        Entry(LayerNormalizationMapper.self),
        Entry(ActivationMapper.self),
        Entry(ReLUMapper.self),
        Entry(LeakyReLUMapper.self),
        Entry(PReLUMapper.self),
        Entry(ELUMapper.self),
        Entry(SoftmaxMapper.self),
        Entry(IdentityMapper.self),
        Entry(FlattenMapper.self),
        Entry(ReshapeMapper.self),
        Entry(PermuteMapper.self),
        Entry(RepeatVectorMapper.self),
        Entry(MergeMapper.self),
        Entry(ConcatenateMapper.self),
        Entry(DotMapper.self),
        Entry(ZeroPaddingMapper.self),
        Entry(CroppingMapper.self),
        Entry(UpSamplingMapper.self),
        Entry(EmbeddingMapper.self),
        Entry(RecurrentMapper.self),
        Entry(ConvLSTMMapper.self),
        Entry(BidirectionalMapper.self),
        Entry(TimeDistributedMapper.self),
        Entry(RescalingMapper.self),
        Entry(NormalizationMapper.self),
        Entry(LayerScaleMapper.self),
        Entry(CustomScaleLayerMapper.self),
        Entry(TFOpLambdaMapper.self),
        Entry(MultiHeadAttentionMapper.self),
        Entry(AttentionMapper.self),
        Entry(GroupNormalizationMapper.self),
        Entry(UnitNormalizationMapper.self),
        Entry(MaskingMapper.self),
        Entry(RandomAugmentationMapper.self),
        Entry(ResizingMapper.self),
        Entry(CenterCropMapper.self),
        Entry(EinsumDenseMapper.self),
        Entry(RMSNormalizationMapper.self),
        Entry(ReversibleEmbeddingMapper.self),
        Entry(GroupedQueryAttentionMapper.self),
        Entry(AdaptivePoolingMapper.self),
        Entry(RNNMapper.self),
        Entry(CategoryEncodingMapper.self),
        Entry(DiscretizationMapper.self),
        Entry(SpectralNormalizationMapper.self),
        Entry(AutoContrastMapper.self),
        Entry(PositionEmbeddingMapper.self),
        Entry(SinePositionEncodingMapper.self),
        Entry(RotaryEmbeddingMapper.self),
        Entry(TransformerLayersMapper.self),
    ]

    /// The mappers of Keras 3 operation nodes (`x + 1`, `keras.ops.*` on symbolic tensors), whose
    /// class names (`Add`, `Reshape`) are those of `keras.ops` and may equal layer class names.
    static let operations: [Entry] = [
        Entry(ElementwiseBinaryOperationMapper.self),
        Entry(ElementwiseUnaryOperationMapper.self),
        Entry(ActivationOperationMapper.self),
        Entry(ReductionOperationMapper.self),
        Entry(ShapeOperationMapper.self),
        Entry(JoinOperationMapper.self),
        Entry(MatmulOperationMapper.self),
        Entry(GetItemOperationMapper.self),
        Entry(CastOperationMapper.self),
        Entry(ComparisonOperationMapper.self),
        Entry(FlipOperationMapper.self),
        Entry(TileOperationMapper.self),
        Entry(PadOperationMapper.self),
        Entry(CumsumOperationMapper.self),
        Entry(SplitOperationMapper.self),
        Entry(ArgReductionOperationMapper.self),
        Entry(TakeOperationMapper.self),
        Entry(OneHotOperationMapper.self),
        Entry(ImageResizeOperationMapper.self),
    ]

    /// A mapper's class names and its conversion function.
    struct Entry: Sendable {
        let classNames: [String]
        let keywordTensors: Set<String>
        let convert: @Sendable (KerasLayerCall) throws(KerasImportError) -> [KerasValue]

        init<Mapper: KerasLayerMapper>(_ mapper: Mapper.Type) {
            classNames = Mapper.classNames
            keywordTensors = Mapper.keywordTensors
            convert = { (call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] in try Mapper.convert(call) }
        }
    }

    private static let byClassName: [String: Entry] = {
        var table: [String: Entry] = [:]
        for mapper in mappers {
            for name in mapper.classNames { table[name] = mapper }
        }
        return table
    }()

    static func mapper(for className: String) -> Entry? { byClassName[className] }

    private static let operationByClassName: [String: Entry] = {
        var table: [String: Entry] = [:]
        for mapper in operations {
            for name in mapper.classNames { table[name] = mapper }
        }
        return table
    }()

    static func operation(for className: String) -> Entry? { operationByClassName[className] }

    /// The supported operation class names, sorted, for error messages.
    static let supportedOperationNames: [String] = operations.flatMap(\.classNames).sorted()

    /// Why some layer classes real models hold cannot be converted, for their error messages.
    static let refusalReasons: [String: String] = [
        "Lambda": "the Python function it holds cannot be read from the file; "
            + "write the computation with keras.ops or supported layers in a Functional model",
        "TextVectorization": "it maps strings to token ids; run it before the model and feed the ids",
        "StringLookup": "it maps strings to indices; run it before the model and feed the indices",
        "MelSpectrogram": "the short-time Fourier transform it runs is not mapped; compute the spectrogram before the model",
        "STFTSpectrogram": "the short-time Fourier transform it runs is not mapped; compute the spectrogram before the model",
    ]

    /// Why `className` cannot be converted, when that is known: a reason above, or for a KerasHub
    /// backbone nested in a model (a subclassed model, saved by its constructor arguments only) what
    /// to build instead.
    static func refusalReason(_ className: String) -> String? {
        if let reason = refusalReasons[className] { return reason }
        guard className.hasPrefix("keras_hub>"), className.hasSuffix("Backbone") else { return nil }
        return "a KerasHub backbone nested as a layer is a subclassed model, saved without its layers; build the model on "
            + "keras.Model(backbone.inputs, backbone.outputs) or on the backbone's own outputs instead"
    }

    /// The supported class names, sorted, for error messages.
    static let supportedClassNames: [String] = (mappers.flatMap(\.classNames) + ["InputLayer", "Sequential", "Functional", "Model"]).sorted()
}
