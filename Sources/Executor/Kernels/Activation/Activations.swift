import ModelIR

struct Relu_1: UnaryNumericKernel, AttributeFreeKernel {
    static let opType = "Relu", sinceVersion = 1
    func apply<T: NumericScalar>(_ x: T) -> T { x < .zero ? .zero : x }
}

struct LeakyRelu_1: UnaryRealKernel {
    static let opType = "LeakyRelu", sinceVersion = 1
    let alpha: Float
    init(_ node: KernelNode) throws { alpha = try node.float("alpha", default: 0.01) }
    func apply<T: RealScalar>(_ x: T) -> T { x < 0 ? T(alpha) * x : x }
}

struct Elu_1: UnaryRealKernel {
    static let opType = "Elu", sinceVersion = 1
    let alpha: Float
    init(_ node: KernelNode) throws { alpha = try node.float("alpha", default: 1) }
    func apply<T: RealScalar>(_ x: T) -> T { x < 0 ? T(alpha) * (T.exp(x) - 1) : x }
}

struct Selu_1: UnaryRealKernel {
    static let opType = "Selu", sinceVersion = 1
    let alpha: Float, gamma: Float
    init(_ node: KernelNode) throws {
        alpha = try node.float("alpha", default: 1.67326319217681884765625)
        gamma = try node.float("gamma", default: 1.05070102214813232421875)
    }
    func apply<T: RealScalar>(_ x: T) -> T { x <= 0 ? T(gamma) * (T(alpha) * T.exp(x) - T(alpha)) : T(gamma) * x }
}

struct Celu_12: UnaryRealKernel {
    static let opType = "Celu", sinceVersion = 12
    let alpha: Float
    init(_ node: KernelNode) throws { alpha = try node.float("alpha", default: 1) }
    func apply<T: RealScalar>(_ x: T) -> T { max(0, x) + min(0, T(alpha) * (T.exp(x / T(alpha)) - 1)) }
}

struct ThresholdedRelu_10: UnaryRealKernel {
    static let opType = "ThresholdedRelu", sinceVersion = 10
    let alpha: Float
    init(_ node: KernelNode) throws { alpha = try node.float("alpha", default: 1) }
    func apply<T: RealScalar>(_ x: T) -> T { x > T(alpha) ? x : 0 }
}

struct Sigmoid_1: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Sigmoid", sinceVersion = 1
    func apply<T: RealScalar>(_ x: T) -> T { x >= 0 ? 1 / (1 + T.exp(-x)) : T.exp(x) / (1 + T.exp(x)) }
}

struct HardSigmoid_1: UnaryRealKernel {
    static let opType = "HardSigmoid", sinceVersion = 1
    let alpha: Float, beta: Float
    init(_ node: KernelNode) throws {
        alpha = try node.float("alpha", default: 0.2)
        beta = try node.float("beta", default: 0.5)
    }
    init(alpha: Float, beta: Float) {
        self.alpha = alpha
        self.beta = beta
    }
    func apply<T: RealScalar>(_ x: T) -> T { max(0, min(1, T(alpha) * x + T(beta))) }
}

struct HardSwish_14: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "HardSwish", sinceVersion = 14
    func apply<T: RealScalar>(_ x: T) -> T { x * max(0, min(1, x / 6 + T(0.5))) }
}

struct Tanh_1: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Tanh", sinceVersion = 1
    func apply<T: RealScalar>(_ x: T) -> T { .tanh(x) }
}

/// `log(1 + eˣ)`, computed without overflow for large x.
struct Softplus_1: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Softplus", sinceVersion = 1
    func apply<T: RealScalar>(_ x: T) -> T { x > 0 ? x + T.log1p(T.exp(-x)) : T.log1p(T.exp(x)) }
}

struct Softsign_1: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Softsign", sinceVersion = 1
    func apply<T: RealScalar>(_ x: T) -> T { x / (1 + abs(x)) }
}

struct Mish_18: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Mish", sinceVersion = 18
    func apply<T: RealScalar>(_ x: T) -> T { x * T.tanh(x > 0 ? x + T.log1p(T.exp(-x)) : T.log1p(T.exp(x))) }
}

/// `approximate` = "none" uses erf, "tanh" the tanh approximation.
struct Gelu_20: UnaryRealKernel {
    static let opType = "Gelu", sinceVersion = 20
    let useTanh: Bool
    init(_ node: KernelNode) throws { useTanh = try node.choice("approximate", default: "none", in: ["none", "tanh"]) == "tanh" }
    func apply<T: RealScalar>(_ x: T) -> T {
        if useTanh {
            let c = T(0.7978845608028654)
            return T(0.5) * x * (1 + T.tanh(c * (x + T(0.044715) * x * x * x)))
        }
        return T(0.5) * x * (1 + T.erf(x / T(2).squareRoot()))
    }
}

struct Shrink_9: UnaryNumericKernel {
    static let opType = "Shrink", sinceVersion = 9
    let lambda: Double, bias: Double
    init(_ node: KernelNode) throws {
        lambda = Double(try node.float("lambd", default: 0.5))
        bias = Double(try node.float("bias", default: 0))
    }
    func apply<T: NumericScalar>(_ x: T) -> T {
        let v = x.doubleValue
        return v < -lambda ? T(converting: v + bias) : v > lambda ? T(converting: v - bias) : .zero
    }
}

/// `x < 0 ? slope · x : x`, the slope broadcast to X. A 1-D slope that does not broadcast is
/// aligned with the one axis of X of its length, as older exporters expect.
struct PRelu_1: BinaryNumericKernel, AttributeFreeKernel {
    static let opType = "PRelu", sinceVersion = 1
    func apply<T: NumericScalar>(_ x: T, _ slope: T) -> T { x < .zero ? .multiply(slope, x) : x }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        var slope = try inputs.required(1)
        if (try? Broadcast.shape(x.shape, slope.shape)) == nil, slope.rank == 1 {
            let matches = x.shape.indices.filter { x.shape[$0] == slope.shape[0] }
            if matches.count == 1 {
                slope = try slope.reshaped(to: x.shape.indices.map { $0 == matches[0] ? slope.shape[0] : 1 })
            }
        }
        return [try broadcasting(x, slope)]
    }
}

/// `x · sigmoid(alpha · x)`.
struct Swish_24: UnaryRealKernel {
    static let opType = "Swish", sinceVersion = 24
    let alpha: Float
    init(_ node: KernelNode) throws { alpha = try node.float("alpha", default: 1) }
    func apply<T: RealScalar>(_ x: T) -> T { x / (1 + T.exp(-T(alpha) * x)) }
}

/// `Swish(A, alpha) · B` for A and B of one shape.
struct SwiGLU_26: TensorKernel {
    static let opType = "SwiGLU", sinceVersion = 26
    static let inputArity = 2...2
    let alpha: Double
    init(_ node: KernelNode) throws { alpha = Double(try node.float("alpha", default: 1)) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let a = try inputs.required(0), b = try inputs.required(1)
        guard a.shape == b.shape, a.dataType == b.dataType else { throw KernelError.invalidInput("A and B must have the same shape and type") }
        let x = try a.doubleValues(), y = try b.doubleValues()
        return [try Tensor(converting: x.indices.map { x[$0] / (1 + Double.exp(-alpha * x[$0])) * y[$0] }, to: a.dataType, shape: a.shape)]
    }
}
