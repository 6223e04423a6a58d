import ModelIR

/// ONNX `Slice` (opset 10 and later) of a channels-last activation: the data is [N, H, W, C] where
/// the graph's value is [N, C, H, W], so each requested axis is moved to where that axis lies
/// (0 → 0, 1 → 3, 2 → 1, 3 → 2; negative axes counted from rank 4) and the result is the
/// channels-last form of the graph's slice. Starts, ends and steps may be computed at run time
/// (ShuffleNet V2 splits its channels at half of a `Shape`).
struct ChannelsLastSlice: Kernel {
    static let opType = "Slice", sinceVersion = 10
    static let inputArity = 3...5
    static let requiredInputs = 3

    init() {}
    init(_ node: KernelNode) throws { throw KernelError.unsupported("ChannelsLastSlice is made by the fast plan") }

    /// Where axis `axis` of an [N, C, H, W] value lies in its [N, H, W, C] form.
    static func channelsLastAxis(_ axis: Int) throws -> Int {
        let normalized = axis < 0 ? axis + 4 : axis
        guard (0..<4).contains(normalized) else { throw KernelError.invalidInput("slice axis \(axis) out of range for rank 4") }
        return [0, 3, 1, 2][normalized]
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.rank == 4, inputs.count >= 3,
              let starts = try inputs[1]?.tensor?.indexValues(), let ends = try inputs[2]?.tensor?.indexValues() else {
            throw KernelError.invalidInput("a channels-last slice expects 4-D data, starts and ends")
        }
        let axes = try (inputs.count > 3 ? inputs[3]?.tensor?.indexValues() : nil) ?? Array(0..<starts.count)
        let steps = try inputs.count > 4 ? inputs[4]?.tensor?.indexValues() : nil
        return [.tensor(try slice(x, starts: starts, ends: ends, axes: axes.map(Self.channelsLastAxis), steps: steps))]
    }
}
