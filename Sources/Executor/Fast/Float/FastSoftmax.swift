import CFloatKernels
import ModelIR

/// Float Softmax over contiguous rows (the last axis from opset 13, everything after `axis`
/// before it) in float arithmetic with vectorized exponentials (`mg_softmax_rows`), rows split
/// over the threads. Other types and axes run the step's own kernel, which works in double.
struct FastSoftmax: TensorKernel {
    static let opType = "Softmax", sinceVersion = 1
    let fallback: any TensorKernel
    /// The axis as written, and whether the rows are everything from it on (opsets 1–12).
    let axis: Int, coerced: Bool

    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastSoftmax is made from a prepared kernel") }

    /// The fast kernel in place of `kernel`, or nil when it is not a Softmax kernel.
    static func replacing(_ kernel: any Kernel) -> FastSoftmax? {
        if let softmax = kernel as? Softmax_13 { return FastSoftmax(fallback: softmax, axis: softmax.axis, coerced: false) }
        if let softmax = kernel as? Softmax_1 { return FastSoftmax(fallback: softmax, axis: softmax.axis, coerced: true) }
        return nil
    }

    private init(fallback: any TensorKernel, axis: Int, coerced: Bool) {
        self.fallback = fallback
        self.axis = axis
        self.coerced = coerced
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let axis = self.axis < 0 ? self.axis + x.rank : self.axis
        guard x.dataType == .float, x.rank > 0, axis >= 0, axis < x.rank, coerced || axis == x.rank - 1 else {
            return try fallback.compute(inputs)
        }
        let length = x.shape[axis...].reduce(1, *)
        let rows = length > 0 ? x.elementCount / length : 0
        guard length > 0, length <= Int(Int32.max), rows <= Int(Int32.max) else { return try fallback.compute(inputs) }
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: x.shape) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress else { return }
                ParallelFor.run(rows, grain: max(1, 16384 / length)) { chunk in
                    mg_softmax_rows(source + chunk.lowerBound * length, Int32(chunk.count), Int32(length),
                                    target + chunk.lowerBound * length)
                }
            }
        }
        return [y]
    }
}
