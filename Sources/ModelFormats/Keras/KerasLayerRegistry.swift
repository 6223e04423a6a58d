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
        Entry(BidirectionalMapper.self),
        Entry(TimeDistributedMapper.self),
        Entry(RescalingMapper.self),
        Entry(NormalizationMapper.self),
    ]

    /// A mapper's class names and its conversion function.
    struct Entry: Sendable {
        let classNames: [String]
        let convert: @Sendable (KerasLayerCall) throws(KerasImportError) -> [KerasValue]

        init<Mapper: KerasLayerMapper>(_ mapper: Mapper.Type) {
            classNames = Mapper.classNames
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

    /// The supported class names, sorted, for error messages.
    static let supportedClassNames: [String] = (mappers.flatMap(\.classNames) + ["InputLayer", "Sequential", "Functional", "Model"]).sorted()
}
