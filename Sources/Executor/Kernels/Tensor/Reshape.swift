import ModelIR

/// The output shape for `requested`: 0 copies the input's dimension (unless `allowZero`), −1 is inferred.
func resolvedReshape(_ input: [Int], _ requested: [Int], allowZero: Bool) throws -> [Int] {
    var shape = requested
    var inferred: Int?
    for (axis, size) in requested.enumerated() {
        if size == 0 && !allowZero {
            guard axis < input.count else { throw KernelError.invalidInput("dimension 0 at axis \(axis) has no input dimension to copy") }
            shape[axis] = input[axis]
        } else if size == -1 {
            guard inferred == nil else { throw KernelError.invalidInput("more than one -1 in shape \(requested)") }
            inferred = axis
        } else if size < -1 {
            throw KernelError.invalidInput("invalid dimension \(size) in shape \(requested)")
        }
    }
    let total = input.reduce(1, *)
    if let inferred {
        let known = shape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
        guard known != 0, total % known == 0 else { throw KernelError.invalidInput("cannot reshape \(input) to \(requested)") }
        shape[inferred] = total / known
    }
    guard shape.reduce(1, *) == total else { throw KernelError.invalidInput("cannot reshape \(input) to \(requested)") }
    return shape
}

struct Reshape_1: TensorKernel {
    static let opType = "Reshape", sinceVersion = 1
    let shape: [Int]
    init(_ node: KernelNode) throws { shape = try node.ints("shape", default: []) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0)
        return [try data.reshaped(to: resolvedReshape(data.shape, shape, allowZero: false))]
    }
}

/// The shape is an input from opset 5; `allowzero` from 14.
struct Reshape_5: TensorKernel {
    static let opType = "Reshape", sinceVersion = 5
    static let inputArity = 2...2
    let allowZero: Bool
    init(_ node: KernelNode) throws { allowZero = try node.int("allowzero", default: 0) != 0 }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0)
        let requested = try inputs.required(1).indexValues()
        return [try data.reshaped(to: resolvedReshape(data.shape, requested, allowZero: allowZero))]
    }
}

/// To 2-D at `axis` (negative from opset 11).
struct Flatten_1: TensorKernel {
    static let opType = "Flatten", sinceVersion = 1
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.int("axis", default: 1) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0)
        let split = axis < 0 ? axis + data.rank : axis
        guard split >= 0 && split <= data.rank else { throw KernelError.invalidAttribute("axis \(axis) out of range for rank \(data.rank)") }
        let outer = data.shape[..<split].reduce(1, *), inner = data.shape[split...].reduce(1, *)
        return [try data.reshaped(to: [outer, inner])]
    }
}

struct Squeeze_1: TensorKernel {
    static let opType = "Squeeze", sinceVersion = 1
    let axes: [Int]?
    init(_ node: KernelNode) throws { axes = try node.ints("axes") }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try squeeze(inputs.required(0), axes)] }
}

/// The axes are an optional input from opset 13.
struct Squeeze_13: TensorKernel, AttributeFreeKernel {
    static let opType = "Squeeze", sinceVersion = 13
    static let inputArity = 1...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try squeeze(inputs.required(0), inputs.optional(1)?.indexValues())]
    }
}

func squeeze(_ data: Tensor, _ axes: [Int]?) throws -> Tensor {
    let remove: Set<Int>
    if let axes {
        remove = Set(try normalizedAxes(axes, rank: data.rank))
        for axis in remove where data.shape[axis] != 1 {
            throw KernelError.invalidInput("cannot squeeze axis \(axis) of size \(data.shape[axis])")
        }
    } else {
        remove = Set(data.shape.indices.filter { data.shape[$0] == 1 })
    }
    return try data.reshaped(to: data.shape.indices.filter { !remove.contains($0) }.map { data.shape[$0] })
}

struct Unsqueeze_1: TensorKernel {
    static let opType = "Unsqueeze", sinceVersion = 1
    let axes: [Int]
    init(_ node: KernelNode) throws { axes = try node.requiredInts("axes") }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try unsqueeze(inputs.required(0), axes)] }
}

/// The axes are an input from opset 13.
struct Unsqueeze_13: TensorKernel, AttributeFreeKernel {
    static let opType = "Unsqueeze", sinceVersion = 13
    static let inputArity = 2...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try unsqueeze(inputs.required(0), inputs.required(1).indexValues())]
    }
}

func unsqueeze(_ data: Tensor, _ axes: [Int]) throws -> Tensor {
    let rank = data.rank + axes.count
    let inserted = Set(try normalizedAxes(axes, rank: rank))
    var shape: [Int] = []
    var source = data.shape.makeIterator()
    for axis in 0..<rank {
        if inserted.contains(axis) { shape.append(1) } else if let size = source.next() { shape.append(size) }
    }
    return try data.reshaped(to: shape)
}
