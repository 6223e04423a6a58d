import CDNNLKernels
import ModelIR

/// LRN (`FastLRN`) on channels-last activations [N, H, W, C], run by one oneDNN LRN primitive per
/// input shape; an even window (which ONNX centres differently) runs `FastLRN` between two reorders.
struct ChannelsLastLRN: Kernel {
    static let opType = "LRN", sinceVersion = 1
    let fast: FastLRN
    private let primitives = OneDNNPrimitives<ChannelsLastPrimitive>()

    init(fast: FastLRN) { self.fast = fast }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("ChannelsLastLRN is made from a fast LRN") }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.dataType == .float, x.rank == 4 else {
            throw KernelError.invalidInput("a channels-last LRN expects one 4-D float input")
        }
        let lrn = fast.lrn
        guard let primitive = try primitives.primitive(for: x.shape, make: {
            mg_nhwc_lrn_create(Int32(x.shape[0]), Int32(x.shape[3]), Int32(x.shape[1]), Int32(x.shape[2]), Int32(lrn.size),
                               Float(lrn.alpha), Float(lrn.beta), Float(lrn.bias)).map(ChannelsLastPrimitive.init)
        }) else {
            return try ChannelsLastReorder.aroundChannelsFirst(x, "LRN") { try fast.compute([$0]).first ?? nil }
        }
        return [.tensor(try primitive.run(x, shape: x.shape))]
    }

    /// oneDNN's names for the implementations this step has run, for tests and profiles.
    var implementations: [String] { primitives.implementations }
}
