import ModelIR

/// Opsets 1–6 broadcast only when `broadcast` is 1, aligning B with A at `axis` (the trailing axes by default).
struct LegacyBroadcast {
    let enabled: Bool
    let axis: Int?

    init(_ node: KernelNode) throws {
        enabled = try node.int("broadcast", default: 0) != 0
        axis = try node.int("axis")
    }

    /// `b` reshaped so that numpy broadcasting gives the legacy result.
    func align(_ b: Tensor, to a: Tensor) throws -> Tensor {
        guard enabled, b.shape != a.shape else { return b }
        guard let axis else { return b }
        let start = axis < 0 ? axis + a.rank : axis
        let trailing = a.rank - start - b.rank
        guard start >= 0, trailing >= 0 else { throw KernelError.invalidAttribute("broadcast axis \(axis) does not fit shapes \(a.shape) and \(b.shape)") }
        return try b.reshaped(to: b.shape + [Int](repeating: 1, count: trailing))
    }
}

/// Opset 1–6 arithmetic: `broadcast` and `axis` align B with A (`LegacyBroadcast`) before the
/// numpy broadcasting of later opsets.
protocol LegacyBinaryNumericKernel: BinaryNumericKernel {
    var legacy: LegacyBroadcast { get }
    init(legacy: LegacyBroadcast)
}

extension LegacyBinaryNumericKernel {
    init(_ node: KernelNode) throws { self.init(legacy: try LegacyBroadcast(node)) }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let a = try inputs.required(0)
        return [try broadcasting(a, legacy.align(inputs.required(1), to: a))]
    }
}

struct Add_1: LegacyBinaryNumericKernel {
    static let opType = "Add", sinceVersion = 1
    let legacy: LegacyBroadcast
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { .add(a, b) }
}

struct Add_7: BinaryNumericKernel, AttributeFreeKernel {
    static let opType = "Add", sinceVersion = 7
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { .add(a, b) }
}

struct Sub_1: LegacyBinaryNumericKernel {
    static let opType = "Sub", sinceVersion = 1
    let legacy: LegacyBroadcast
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { .subtract(a, b) }
}

struct Sub_7: BinaryNumericKernel, AttributeFreeKernel {
    static let opType = "Sub", sinceVersion = 7
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { .subtract(a, b) }
}

struct Mul_1: LegacyBinaryNumericKernel {
    static let opType = "Mul", sinceVersion = 1
    let legacy: LegacyBroadcast
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { .multiply(a, b) }
}

struct Mul_7: BinaryNumericKernel, AttributeFreeKernel {
    static let opType = "Mul", sinceVersion = 7
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { .multiply(a, b) }
}

struct Div_1: LegacyBinaryNumericKernel {
    static let opType = "Div", sinceVersion = 1
    let legacy: LegacyBroadcast
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { .divide(a, b) }
}

/// Integer division truncates toward zero, as C and onnx's reference do.
struct Div_7: BinaryNumericKernel, AttributeFreeKernel {
    static let opType = "Div", sinceVersion = 7
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { .divide(a, b) }
}

/// `A^B`; from opset 12 the exponent may have another type than the base (the result has the base's).
struct Pow_7: TensorKernel, AttributeFreeKernel {
    static let opType = "Pow", sinceVersion = 7
    static let inputArity = 2...2

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let base = try inputs.required(0), exponent = try inputs.required(1)
        if base.dataType == .float && exponent.dataType == .float {
            return [try Broadcast.map(base, exponent, Float.self, Float.self, to: Float.self) { Float.pow($0, $1) }]
        }
        if base.dataType.isHalf {
            return [try compute([base.widened(), exponent.widened()])[0]?.narrowed(to: base.dataType)]
        }
        let shape = try Broadcast.shape(base.shape, exponent.shape)
        let x = try base.doubleValues(), y = try exponent.doubleValues()
        let xi = try Broadcast.sourceIndices(of: base.shape, in: shape), yi = try Broadcast.sourceIndices(of: exponent.shape, in: shape)
        let isInteger = base.dataType.isInteger
        let values = zip(xi, yi).map { i, j -> Double in
            if isInteger, let b = Int64(exactly: x[i]), let e = Int64(exactly: y[j]), e >= 0 {
                var result: Int64 = 1
                for _ in 0..<min(e, 64) { result = result &* b }
                return Double(result)
            }
            return Double.pow(x[i], y[j])
        }
        return [try Tensor(converting: values, to: base.dataType, shape: shape)]
    }
}

/// Opset 1 Pow, with the legacy broadcast attributes.
struct Pow_1: TensorKernel {
    static let opType = "Pow", sinceVersion = 1
    static let inputArity = 2...2
    let legacy: LegacyBroadcast
    init(_ node: KernelNode) throws { legacy = try LegacyBroadcast(node) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let a = try inputs.required(0)
        return try Pow_7().compute([a, legacy.align(inputs.required(1), to: a)])
    }
}

/// Remainder: with `fmod` the sign of the dividend (C fmod), otherwise of the divisor (Python %).
struct Mod_10: TensorKernel {
    static let opType = "Mod", sinceVersion = 10
    static let inputArity = 2...2
    let fmod: Bool

    init(_ node: KernelNode) throws { fmod = try node.int("fmod", default: 0) != 0 }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try computingHalvesInFloat(inputs) { inputs in
            let a = try inputs.required(0), b = try inputs.required(1)
            return [try dispatchNumeric(a.dataType, Visitor(fmod: fmod, a: a, b: b))]
        }
    }

    struct Visitor: NumericVisitor {
        let fmod: Bool
        let a: Tensor, b: Tensor
        func visit<T: NumericScalar>(_ type: T.Type) throws -> Tensor {
            if T.isFloatingPointType {
                return try Broadcast.map(a, b, T.self, T.self, to: T.self) { x, y in
                    let r = Double.fmod(x.doubleValue, y.doubleValue)
                    if fmod || r == 0 || (r < 0) == (y.doubleValue < 0) { return T(converting: r) }
                    return T(converting: r + y.doubleValue)
                }
            }
            return try Broadcast.map(a, b, T.self, T.self, to: T.self) { x, y in
                guard y != .zero else { return .zero }
                let q = T.divide(x, y)
                let r = T.subtract(x, T.multiply(q, y))
                if fmod || r == .zero || (r < .zero) == (y < .zero) { return r }
                return T.add(r, y)
            }
        }
    }
}

