import CDNNLKernels
import ModelIR

/// Copies a float [N, C, H, W] tensor to [N, H, W, C] (`toChannelsLast`) or back with a oneDNN
/// reorder: the steps `ChannelsLastRegions` puts where a region of channels-last values starts or ends.
struct ChannelsLastReorder: Kernel {
    static let opType = "Transpose", sinceVersion = 1
    let toChannelsLast: Bool

    init(toChannelsLast: Bool) { self.toChannelsLast = toChannelsLast }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("ChannelsLastReorder is made by the fast plan") }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor else { throw KernelError.invalidInput("no input to reorder") }
        return [.tensor(try Self.reordered(x, toChannelsLast: toChannelsLast))]
    }

    /// `body` run on channels-last `x` as [N, C, H, W], its result made channels-last again: how a
    /// channels-last kernel runs what oneDNN or its own loop does not cover. `what` names the step
    /// in the error when `body` gives no 4-D tensor.
    static func aroundChannelsFirst(_ x: Tensor, _ what: String, _ body: (Tensor) throws -> Tensor?) throws -> [RuntimeValue?] {
        guard let y = try body(try reordered(x, toChannelsLast: false)), y.rank == 4 else {
            throw KernelError.invalidInput("\(what) produced no 4-D output")
        }
        return [.tensor(try reordered(y, toChannelsLast: true))]
    }

    static func reordered(_ x: Tensor, toChannelsLast: Bool) throws -> Tensor {
        guard x.dataType == .float, x.rank == 4 else {
            throw KernelError.invalidInput("Conv expects a 4-D float input, got \(x.dataType) \(x.shape)")
        }
        let s = x.shape
        let (n, c, h, w) = toChannelsLast ? (s[0], s[1], s[2], s[3]) : (s[0], s[3], s[1], s[2])
        return try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: toChannelsLast ? [n, h, w, c] : [n, c, h, w]) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress, out.count > 0 else { return }
                guard mg_nhwc_reorder(source, target, Int32(n), Int32(c), Int32(h), Int32(w), toChannelsLast ? 1 : 0,
                                      Int32(ExecutorThreads.count)) == 0 else {
                    throw KernelError.invalidInput("oneDNN could not reorder \(s)")
                }
            }
        }
    }
}
