import ModelIR

/// ONNX `Shape` of a channels-last activation: the data is [N, H, W, C] where the graph's value is
/// [N, C, H, W], and the result is the graph's shape (the original kernel on a view of the data
/// with that shape, so `start` and `end` apply as written). No data is read or copied, so a
/// network that computes its reshapes from its activations' shapes (PyTorch's `x.size()`) keeps
/// them channels-last.
struct ChannelsLastShape: Kernel {
    static let opType = "Shape", sinceVersion = 1
    /// The `Shape` step's kernel.
    let shape: any Kernel

    init(shape: any Kernel) {
        self.shape = shape
    }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("ChannelsLastShape is made by the fast plan") }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.rank == 4 else { throw KernelError.invalidInput("a channels-last shape expects 4-D data") }
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return try shape.run([.tensor(x.reshaped(to: [n, c, h, w]))], context: context)
    }
}
