import ModelIR

struct Shape_1: TensorKernel, AttributeFreeKernel {
    static let opType = "Shape", sinceVersion = 1
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [Tensor.int64Vector(try inputs.required(0).shape)] }
}

/// From opset 15 a `start`/`end` slice of the shape, clamped to the rank.
struct Shape_15: TensorKernel {
    static let opType = "Shape", sinceVersion = 15
    let start: Int
    let end: Int?

    init(_ node: KernelNode) throws {
        start = try node.int("start", default: 0)
        end = try node.int("end")
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let shape = try inputs.required(0).shape
        let rank = shape.count
        func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
        let from = clamp(start), to = clamp(end ?? rank)
        return [Tensor.int64Vector(from < to ? Array(shape[from..<to]) : [])]
    }
}

struct Size_1: TensorKernel, AttributeFreeKernel {
    static let opType = "Size", sinceVersion = 1
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [Tensor(scalar: Int64(try inputs.required(0).elementCount))] }
}
