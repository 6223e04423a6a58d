import ModelIR

/// Equal also compares strings (from opset 19).
struct Equal_1: ComparisonKernel, AttributeFreeKernel {
    static let opType = "Equal", sinceVersion = 1
    func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a == b }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let a = try inputs.required(0), b = try inputs.required(1)
        if let x = a.strings, let y = b.strings {
            let shape = try Broadcast.shape(a.shape, b.shape)
            let xi = try Broadcast.sourceIndices(of: a.shape, in: shape), yi = try Broadcast.sourceIndices(of: b.shape, in: shape)
            return [try Tensor(shape: shape, scalars: zip(xi, yi).map { x[$0] == y[$1] })]
        }
        return try compareNumbers(inputs)
    }

    private func compareNumbers(_ inputs: [Tensor?]) throws -> [Tensor?] {
        var a = try inputs.required(0), b = try inputs.required(1)
        guard a.dataType == b.dataType else { throw KernelError.invalidInput("input types differ: \(a.dataType) and \(b.dataType)") }
        if a.dataType.isHalf { a = try a.widened(); b = try b.widened() }
        if a.dataType == .bool { return [try Broadcast.map(a, b, UInt8.self, UInt8.self, to: Bool.self) { ($0 != 0) == ($1 != 0) }] }
        return [try dispatchNumeric(a.dataType, ComparisonVisitor(kernel: self, a: a, b: b))]
    }
}

struct Less_1: ComparisonKernel, AttributeFreeKernel {
    static let opType = "Less", sinceVersion = 1
    func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a < b }
}

struct Greater_1: ComparisonKernel, AttributeFreeKernel {
    static let opType = "Greater", sinceVersion = 1
    func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a > b }
}

struct LessOrEqual_12: ComparisonKernel, AttributeFreeKernel {
    static let opType = "LessOrEqual", sinceVersion = 12
    func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a <= b }
}

struct GreaterOrEqual_12: ComparisonKernel, AttributeFreeKernel {
    static let opType = "GreaterOrEqual", sinceVersion = 12
    func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a >= b }
}

/// Elementwise logic on bool tensors with broadcasting.
func booleanBinary(_ inputs: [Tensor?], _ op: (Bool, Bool) -> Bool) throws -> [Tensor?] {
    let a = try inputs.required(0), b = try inputs.required(1)
    guard a.dataType == .bool, b.dataType == .bool else { throw KernelError.unsupportedType("expected bool inputs, got \(a.dataType) and \(b.dataType)") }
    return [try Broadcast.map(a, b, UInt8.self, UInt8.self, to: Bool.self) { op($0 != 0, $1 != 0) }]
}

struct And_1: TensorKernel, AttributeFreeKernel {
    static let opType = "And", sinceVersion = 1
    static let inputArity = 2...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { try booleanBinary(inputs) { $0 && $1 } }
}

struct Or_1: TensorKernel, AttributeFreeKernel {
    static let opType = "Or", sinceVersion = 1
    static let inputArity = 2...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { try booleanBinary(inputs) { $0 || $1 } }
}

struct Xor_1: TensorKernel, AttributeFreeKernel {
    static let opType = "Xor", sinceVersion = 1
    static let inputArity = 2...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { try booleanBinary(inputs) { $0 != $1 } }
}

struct Not_1: TensorKernel, AttributeFreeKernel {
    static let opType = "Not", sinceVersion = 1
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        return [try x.withElements(UInt8.self) { v in try Tensor.filled(Bool.self, shape: x.shape) { out in for i in 0..<v.count { out[i] = v[i] == 0 } } }]
    }
}

struct IsNaN_9: TensorKernel, AttributeFreeKernel {
    static let opType = "IsNaN", sinceVersion = 9
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        return [try Tensor(shape: x.shape, scalars: x.doubleValues().map { $0.isNaN })]
    }
}

struct IsInf_10: TensorKernel {
    static let opType = "IsInf", sinceVersion = 10
    let positive: Bool, negative: Bool
    init(_ node: KernelNode) throws {
        positive = try node.int("detect_positive", default: 1) != 0
        negative = try node.int("detect_negative", default: 1) != 0
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        return [try Tensor(shape: x.shape, scalars: x.doubleValues().map { $0.isInfinite && ($0 > 0 ? positive : negative) })]
    }
}
