import CDNNLKernels
import ModelIR

/// A 2-D MaxPool or AveragePool (`FastPool`) on channels-last activations: X is [N, H, W, C] and
/// Y is [N, OH, OW, C], run by one oneDNN pooling primitive per input shape. A `ceil_mode` window
/// that runs past the end pads of a max pool, or of an average that leaves the padding out, counts
/// as more end padding; an average counting the padding whose window runs past it (ONNX divides by
/// the declared pads only), or any geometry oneDNN has no primitive for, runs `FastPool` between
/// two reorders. Unlike `FastPool`, a max over a window holding a NaN need not be NaN.
struct ChannelsLastPool: Kernel {
    static let opType = "Pool", sinceVersion = 1
    let pool: FastPool
    private let primitives = OneDNNPrimitives<ChannelsLastPrimitive>()

    init(pool: FastPool) { self.pool = pool }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("ChannelsLastPool is made from a fast pool") }

    /// True for the pools this kernel can stand for: max or average over a 2-D kernel.
    static func accepts(_ pool: FastPool) -> Bool {
        if case .lp = pool.pooling.kind { return false }
        return pool.pooling.spatial.kernelShape?.count == 2
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.dataType == .float, x.rank == 4, let kernel = pool.pooling.spatial.kernelShape else {
            throw KernelError.invalidInput("a channels-last pool expects one 4-D float input")
        }
        let geometry = try pool.pooling.spatial.geometry(input: [x.shape[1], x.shape[2]], kernel: kernel)
        guard let primitive = try primitives.primitive(for: x.shape, make: { makePrimitive(geometry, batch: x.shape[0], channels: x.shape[3]) }) else {
            return try ChannelsLastReorder.aroundChannelsFirst(x, "the pool") { try pool.compute([$0]).first ?? nil }
        }
        return [.tensor(try primitive.run(x, shape: [x.shape[0], geometry.output[0], geometry.output[1], x.shape[3]]))]
    }

    private func makePrimitive(_ g: SpatialGeometry, batch: Int, channels: Int) -> ChannelsLastPrimitive? {
        let algorithm: Int32
        switch pool.pooling.kind {
        case .max: algorithm = 0
        case .average: algorithm = pool.pooling.countIncludePad ? 1 : 2
        case .lp: return nil
        }
        guard g.output.allSatisfy({ $0 > 0 }) else { return nil }
        var padEnd = g.padEnd
        for axis in 0..<2 {
            let window = (g.kernel[axis] - 1) * g.dilations[axis] + 1
            let reach = (g.output[axis] - 1) * g.strides[axis] + window - g.input[axis] - g.padBegin[axis]
            if reach > padEnd[axis] {
                guard algorithm != 1 else { return nil }
                padEnd[axis] = reach
            } else if (g.input[axis] + g.padBegin[axis] + padEnd[axis] - window) / g.strides[axis] + 1 != g.output[axis] {
                return nil
            }
        }
        var description = mg_nhwc_pool_geometry(
            batch: Int32(batch), channels: Int32(channels), height: Int32(g.input[0]), width: Int32(g.input[1]),
            kernel_h: Int32(g.kernel[0]), kernel_w: Int32(g.kernel[1]), stride_h: Int32(g.strides[0]), stride_w: Int32(g.strides[1]),
            dilation_h: Int32(g.dilations[0]), dilation_w: Int32(g.dilations[1]),
            pad_top: Int32(g.padBegin[0]), pad_left: Int32(g.padBegin[1]), pad_bottom: Int32(padEnd[0]), pad_right: Int32(padEnd[1]),
            out_h: Int32(g.output[0]), out_w: Int32(g.output[1]))
        return mg_nhwc_pool_create(&description, algorithm).map(ChannelsLastPrimitive.init)
    }

    /// oneDNN's names for the implementations this step has run, for tests and profiles.
    var implementations: [String] { primitives.implementations }
}
