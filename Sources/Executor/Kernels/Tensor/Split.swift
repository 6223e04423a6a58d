import ModelIR

/// Splits `data` along `axis` into parts of `sizes`, or into `count` parts as equal as possible
/// (the last one smaller when the dimension does not divide).
func split(_ data: Tensor, axis: Int, sizes: [Int]?, count: Int) throws -> [Tensor] {
    let axis = try normalizedAxis(axis, rank: data.rank)
    let dimension = data.shape[axis]
    let parts: [Int]
    if let sizes {
        guard sizes.reduce(0, +) == dimension, sizes.allSatisfy({ $0 >= 0 }) else {
            throw KernelError.invalidInput("split sizes \(sizes) do not add up to \(dimension)")
        }
        parts = sizes
    } else {
        guard count > 0 else { throw KernelError.invalidInput("nothing to split into") }
        let chunk = (dimension + count - 1) / count
        parts = (0..<count).map { max(0, min(chunk, dimension - $0 * chunk)) }
    }
    var start = 0
    return try parts.map { size in
        defer { start += size }
        return try slice(data, starts: [start], ends: [start + size], axes: [axis], steps: nil)
    }
}

/// Opsets 1–12: sizes in the `split` attribute (or, in opset 1, a second input).
struct Split_1: TensorKernel {
    static let opType = "Split", sinceVersion = 1
    static let inputArity = 1...2
    static let outputArity = 1...variadic
    let axis: Int, sizes: [Int]?, outputs: Int
    init(_ node: KernelNode) throws {
        axis = try node.int("axis", default: 0)
        sizes = try node.ints("split")
        outputs = node.outputCount
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try split(inputs.required(0), axis: axis, sizes: inputs.optional(1)?.indexValues() ?? sizes, count: outputs)
    }
}

/// From opset 13 the sizes are an optional input.
struct Split_13: TensorKernel {
    static let opType = "Split", sinceVersion = 13
    static let inputArity = 1...2
    static let outputArity = 1...variadic
    let axis: Int, outputs: Int
    init(_ node: KernelNode) throws {
        axis = try node.int("axis", default: 0)
        outputs = node.outputCount
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try split(inputs.required(0), axis: axis, sizes: inputs.optional(1)?.indexValues(), count: outputs)
    }
}

/// From opset 18 `num_outputs` may give the number of parts.
struct Split_18: TensorKernel {
    static let opType = "Split", sinceVersion = 18
    static let inputArity = 1...2
    static let outputArity = 1...variadic
    let axis: Int, outputs: Int
    init(_ node: KernelNode) throws {
        axis = try node.int("axis", default: 0)
        outputs = try node.int("num_outputs") ?? node.outputCount
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try split(inputs.required(0), axis: axis, sizes: inputs.optional(1)?.indexValues(), count: outputs)
    }
}
