#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDNNLKernels
import ModelIR

/// One oneDNN primitive on channels-last activations (`mg_nhwc_primitive`), destroyed with the
/// last reference.
final class ChannelsLastPrimitive: OneDNNPrimitive, @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { mg_nhwc_destroy(pointer) }
    /// oneDNN's name for the implementation, e.g. "brgconv:avx512_core".
    var implementation: String { String(cString: mg_nhwc_implementation(pointer)) }

    /// The primitive run on channels-last `x` (the shape it was made for) into a new tensor of
    /// `shape`, on the executor's threads; `residual` (of `shape`) for a convolution made to add one.
    func run(_ x: Tensor, residual: Tensor? = nil, shape: [Int]) throws -> Tensor {
        try x.withElements(Float.self) { xs in
            try Self.withOptionalElements(residual) { added in
                try Tensor.overwritten(Float.self, shape: shape) { out in
                    guard let source = xs.baseAddress, let target = out.baseAddress, out.count > 0 else { return }
                    guard mg_nhwc_run(pointer, source, added, target, Int32(ExecutorThreads.count)) == 0 else {
                        throw KernelError.invalidInput("oneDNN could not run \(implementation) on \(x.shape)")
                    }
                }
            }
        }
    }

    private static func withOptionalElements<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) throws -> R) throws -> R {
        guard let tensor else { return try body(nil) }
        return try tensor.withElements(Float.self) { try body($0.baseAddress) }
    }
}
