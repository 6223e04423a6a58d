import ModelIR

/// ONNX `Split` of a channels-last activation: the data is [N, H, W, C] where the graph's value is
/// [N, C, H, W], so the split runs along the axis where the graph's axis lies
/// (`ChannelsLastSlice.channelsLastAxis`) and each part is the channels-last form of the graph's
/// part. Sizes come from the second input when given, else from the attribute (opset 1–12), else
/// the parts are as equal as possible.
struct ChannelsLastSplit: Kernel {
    static let opType = "Split", sinceVersion = 1
    static let inputArity = 1...2
    static let outputArity = 1...variadic
    /// The split axis of the channels-last data.
    let axis: Int
    let sizes: [Int]?
    let outputs: Int

    /// The channels-last form of a `Split` kernel, or nil when `kernel` is not one.
    init?(_ kernel: any Kernel) {
        let graphAxis: Int
        switch kernel {
        case let split as Split_1: (graphAxis, sizes, outputs) = (split.axis, split.sizes, split.outputs)
        case let split as Split_13: (graphAxis, sizes, outputs) = (split.axis, nil, split.outputs)
        case let split as Split_18: (graphAxis, sizes, outputs) = (split.axis, nil, split.outputs)
        default: return nil
        }
        guard let axis = try? ChannelsLastSlice.channelsLastAxis(graphAxis) else { return nil }
        self.axis = axis
    }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("ChannelsLastSplit is made by the fast plan") }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.rank == 4 else { throw KernelError.invalidInput("a channels-last split expects 4-D data") }
        let given = try inputs.count > 1 ? inputs[1]?.tensor?.indexValues() : nil
        return try split(x, axis: axis, sizes: given ?? sizes, count: outputs).map { .tensor($0) }
    }
}
