import ModelIR

/// Opsets 1–6: the bounds are attributes (float tensors only).
struct Clip_1: TensorKernel {
    static let opType = "Clip", sinceVersion = 1
    let low: Float
    let high: Float

    init(_ node: KernelNode) throws {
        low = try node.float("min", default: -.greatestFiniteMagnitude)
        high = try node.float("max", default: .greatestFiniteMagnitude)
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let type = x.dataType
        let bounds = try [Double(low), Double(high)].map { try Tensor(converting: [$0], to: type, shape: []) }
        return try Clip_11().compute([x, bounds[0], bounds[1]])
    }
}

/// From opset 11 the bounds are optional scalar inputs; from 12 every numeric type is accepted.
struct Clip_11: TensorKernel {
    static let opType = "Clip", sinceVersion = 11
    static let inputArity = 1...3

    init(_ node: KernelNode) throws {}
    init() {}

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try computingHalvesInFloat(inputs) { inputs in
            let x = try inputs.required(0)
            return [try dispatchNumeric(x.dataType, Visitor(x: x, low: inputs.optional(1), high: inputs.optional(2)))]
        }
    }

    struct Visitor: NumericVisitor {
        let x: Tensor
        let low: Tensor?
        let high: Tensor?

        func visit<T: NumericScalar>(_ type: T.Type) throws -> Tensor {
            func bound(_ tensor: Tensor?, _ fallback: T) throws -> T {
                guard let tensor else { return fallback }
                guard tensor.elementCount == 1 else { throw KernelError.invalidInput("a Clip bound must be a scalar, got \(tensor.shape)") }
                return try tensor.withElements(T.self) { $0[0] }
            }
            let lo = try bound(low, T.lowest), hi = try bound(high, T.highest)
            return try x.withElements(T.self) { values in
                try Tensor.filled(T.self, shape: x.shape) { out in
                    for index in 0..<values.count {
                        let v = values[index]
                        out[index] = v.isNaNValue ? v : (v < lo ? lo : (v > hi ? hi : v))
                    }
                    if lo > hi { for index in 0..<values.count { out[index] = hi } }
                }
            }
        }
    }
}
