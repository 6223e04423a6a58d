import ModelIR

/// A generator for the node: numpy's MT19937 seeded with `seed`, or with a random seed without one.
private func generator(_ seed: Float?) -> MersenneTwister {
    MersenneTwister(seed: seed.map { UInt32(truncatingIfNeeded: Int64($0)) } ?? UInt32.random(in: .min ... .max))
}

private func dataType(_ node: KernelNode, default fallback: DataType?) throws -> DataType? {
    guard let raw = try node.int("dtype") else { return fallback }
    guard let type = DataType(rawValue: Int32(truncatingIfNeeded: raw)), type.isFloatingPoint else {
        throw KernelError.invalidAttribute("dtype \(raw) is not a floating-point type")
    }
    return type
}

/// `low + (high − low) · U` for U uniform in [0, 1), the draw rounded to the output type first.
private func uniform(shape: [Int], type: DataType, low: Double, high: Double, seed: Float?) throws -> Tensor {
    var random = generator(seed)
    let count = try Tensor.checkedCount(shape)
    let draws = try Tensor(converting: (0..<count).map { _ in random.nextDouble() }, to: type, shape: shape).doubleValues()
    let scaled = try Tensor(converting: draws.map { $0 * (high - low) }, to: type, shape: shape).doubleValues()
    return try Tensor(converting: scaled.map { $0 + low }, to: type, shape: shape)
}

struct RandomUniform_1: TensorKernel {
    static let opType = "RandomUniform", sinceVersion = 1
    static let inputArity = 0...0
    let shape: [Int], type: DataType, low: Double, high: Double, seed: Float?
    init(_ node: KernelNode) throws {
        shape = try node.requiredInts("shape")
        type = try dataType(node, default: .float) ?? .float
        low = Double(try node.float("low", default: 0))
        high = Double(try node.float("high", default: 1))
        seed = try node.float("seed")
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try uniform(shape: shape, type: type, low: low, high: high, seed: seed)]
    }
}

struct RandomUniformLike_1: TensorKernel {
    static let opType = "RandomUniformLike", sinceVersion = 1
    let type: DataType?, low: Double, high: Double, seed: Float?
    init(_ node: KernelNode) throws {
        type = try dataType(node, default: nil)
        low = Double(try node.float("low", default: 0))
        high = Double(try node.float("high", default: 1))
        seed = try node.float("seed")
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        return [try uniform(shape: x.shape, type: type ?? x.dataType, low: low, high: high, seed: seed)]
    }
}

/// 1 with probability `x`, else 0, drawn as numpy's `binomial(1, x)` does (one uniform per element).
struct Bernoulli_15: TensorKernel {
    static let opType = "Bernoulli", sinceVersion = 15
    let type: DataType?, seed: Float?
    init(_ node: KernelNode) throws {
        if let raw = try node.int("dtype") {
            guard let type = DataType(rawValue: Int32(truncatingIfNeeded: raw)) else { throw KernelError.invalidAttribute("unknown dtype \(raw)") }
            self.type = type
        } else {
            type = nil
        }
        seed = try node.float("seed")
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        var random = generator(seed)
        let values = try x.doubleValues().map { p -> Double in
            let u = random.nextDouble()
            return p <= 0.5 ? (u > 1 - p ? 1 : 0) : (u > p ? 0 : 1)
        }
        return [try Tensor(converting: values, to: type ?? x.dataType, shape: x.shape)]
    }
}
