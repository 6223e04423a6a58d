import ModelIR

/// Float ReduceMean over trailing axes (the global average pooling of a Keras
/// `GlobalAveragePooling2D`, axes [2, 3] of NCHW): the tensor is read as rows of the reduced
/// trailing elements, each row summed in vector lanes (`FastGlobalPool.sum`) and divided by its
/// length, the rows split over the executor's threads. The axes are fixed when the plan is made
/// (an attribute, or a constant input from opset 18). With `output` the means are written
/// quantized (the QuantizeLinear that reads them, absorbed). Other types, other axes and empty
/// reductions run the step's own kernel.
struct FastReduceMean: QuantizingKernel {
    static let opType = "ReduceMean", sinceVersion = 1
    static let inputArity = 1...2

    /// The axes as written (negative ones not yet normalized); empty for all axes.
    let axes: [Int]
    let keepDims: Bool
    let fallback: any Kernel
    /// The parameters the means are quantized with; nil for float means.
    var output: ScalarQuantization?

    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastReduceMean is made from a prepared kernel") }

    private init(axes: [Int], keepDims: Bool, fallback: any Kernel) {
        self.axes = axes
        self.keepDims = keepDims
        self.fallback = fallback
    }

    /// The fast kernel for a ReduceMean step whose axes are known: `axesInput` is the value of
    /// the step's second input for opset 18 (nil when absent or not constant). Nil for other
    /// operators, unknown axes, or `noop_with_empty_axes` with no axes.
    static func replacing(_ kernel: any Kernel, axesInput: Tensor?, hasAxesInput: Bool) -> FastReduceMean? {
        if let mean = kernel as? ReduceMean_1 {
            return FastReduceMean(axes: mean.axes ?? [], keepDims: mean.keepDims, fallback: kernel)
        }
        if let mean = kernel as? ReduceMean_18 {
            if hasAxesInput {
                guard let axesInput, let axes = try? axesInput.indexValues(), !axes.isEmpty || !mean.noop else { return nil }
                return FastReduceMean(axes: axes, keepDims: mean.keepDims, fallback: kernel)
            }
            return mean.noop ? nil : FastReduceMean(axes: [], keepDims: mean.keepDims, fallback: kernel)
        }
        return nil
    }

    /// The first reduced axis when the reduced axes of a rank-`rank` tensor are exactly the
    /// trailing ones, else nil.
    func firstReducedAxis(rank: Int) -> Int? {
        guard rank >= 1 else { return nil }
        guard !axes.isEmpty else { return 0 }
        guard let normalized = try? normalizedAxes(axes, rank: rank) else { return nil }
        let reduced = Set(normalized)
        guard reduced.count == normalized.count, let first = reduced.min(), reduced == Set(first..<rank) else { return nil }
        return first
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.dataType == .float, let first = firstReducedAxis(rank: x.rank),
              x.shape[first...].reduce(1, *) > 0 else {
            return try ScalarQuantization.results(try fallback.run(inputs, context: context), quantizedWith: output)
        }
        let rows = x.shape[..<first].reduce(1, *), size = x.shape[first...].reduce(1, *)
        let shape = keepDims ? Array(x.shape[..<first]) + [Int](repeating: 1, count: x.rank - first) : Array(x.shape[..<first])
        let y = try x.withElements(Float.self) { xs in
            try ScalarQuantization.results(quantizedWith: output, shape: shape) { target in
                guard let source = xs.baseAddress else { return }
                let divisor = Float(size)
                ParallelFor.run(rows, grain: max(1, 32768 / size)) { chunk in
                    for row in chunk { target[row] = FastGlobalPool.sum(source + row * size, count: size) / divisor }
                }
            }
        }
        return [.tensor(y)]
    }
}
