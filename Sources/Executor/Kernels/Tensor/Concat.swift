import ModelIR

/// Opsets 1–3: `axis` defaults to 1.
struct Concat_1: TensorKernel {
    static let opType = "Concat", sinceVersion = 1
    static let inputArity = 1...variadic
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.int("axis", default: 1) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let parts = try (0..<inputs.count).map { try inputs.required($0) }
        return [try Tensor.concatenating(parts, axis: normalizedAxis(axis, rank: parts[0].rank))]
    }
}

/// From opset 4 `axis` is required (negative from 11).
struct Concat_4: TensorKernel {
    static let opType = "Concat", sinceVersion = 4
    static let inputArity = 1...variadic
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.requiredInt("axis") }
    init(axis: Int) { self.axis = axis }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let parts = try (0..<inputs.count).map { try inputs.required($0) }
        return [try Tensor.concatenating(parts, axis: normalizedAxis(axis, rank: parts[0].rank))]
    }
}
