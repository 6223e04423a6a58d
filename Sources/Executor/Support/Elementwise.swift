import ModelIR

/// A kernel without attributes, prepared by `init()`.
public protocol AttributeFreeKernel: Kernel {
    init()
}

extension AttributeFreeKernel {
    public init(_ node: KernelNode) throws { self.init() }
}

/// A one-input elementwise kernel on floating-point tensors, written once as `apply`: float and
/// double are computed in their own precision, float16 and bfloat16 in float32 and rounded back.
public protocol UnaryRealKernel: TensorKernel {
    func apply<T: RealScalar>(_ x: T) -> T
}

extension UnaryRealKernel {
    public func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try computingHalvesInFloat(inputs) { inputs in
            let x = try inputs.required(0)
            return [try dispatchReal(x.dataType, UnaryRealVisitor(kernel: self, x: x))]
        }
    }
}

struct UnaryRealVisitor<K: UnaryRealKernel>: RealVisitor {
    let kernel: K
    let x: Tensor

    func visit<T: RealScalar>(_ type: T.Type) throws -> Tensor {
        try x.withElements(T.self) { values in
            try Tensor.filled(T.self, shape: x.shape) { out in
                for index in 0..<values.count { out[index] = kernel.apply(values[index]) }
            }
        }
    }
}

/// A one-input elementwise kernel for every numeric type (integers too), written once as `apply`.
public protocol UnaryNumericKernel: TensorKernel {
    func apply<T: NumericScalar>(_ x: T) -> T
}

extension UnaryNumericKernel {
    public func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try computingHalvesInFloat(inputs) { inputs in
            let x = try inputs.required(0)
            return [try dispatchNumeric(x.dataType, UnaryNumericVisitor(kernel: self, x: x))]
        }
    }
}

struct UnaryNumericVisitor<K: UnaryNumericKernel>: NumericVisitor {
    let kernel: K
    let x: Tensor

    func visit<T: NumericScalar>(_ type: T.Type) throws -> Tensor {
        try x.withElements(T.self) { values in
            try Tensor.filled(T.self, shape: x.shape) { out in
                for index in 0..<values.count { out[index] = kernel.apply(values[index]) }
            }
        }
    }
}

/// A two-input elementwise kernel for every numeric type with multidirectional broadcasting,
/// written once as `apply`.
public protocol BinaryNumericKernel: TensorKernel {
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T
}

extension BinaryNumericKernel {
    public static var inputArity: ClosedRange<Int> { 2...2 }

    public func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try broadcasting(inputs.required(0), inputs.required(1))]
    }

    /// `apply` over `a` and `b` broadcast together (halves computed in float).
    public func broadcasting(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.dataType == b.dataType else {
            throw KernelError.invalidInput("input types differ: \(a.dataType) and \(b.dataType)")
        }
        if a.dataType.isHalf {
            return try broadcasting(a.widened(), b.widened()).narrowed(to: a.dataType)
        }
        return try dispatchNumeric(a.dataType, BinaryNumericVisitor(kernel: self, a: a, b: b))
    }
}

struct BinaryNumericVisitor<K: BinaryNumericKernel>: NumericVisitor {
    let kernel: K
    let a: Tensor
    let b: Tensor

    func visit<T: NumericScalar>(_ type: T.Type) throws -> Tensor {
        try Broadcast.map(a, b, T.self, T.self, to: T.self) { kernel.apply($0, $1) }
    }
}

/// A two-input comparison with broadcasting and a bool result, written once as `compare`.
public protocol ComparisonKernel: TensorKernel {
    func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool
}

extension ComparisonKernel {
    public static var inputArity: ClosedRange<Int> { 2...2 }

    public func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        var a = try inputs.required(0), b = try inputs.required(1)
        guard a.dataType == b.dataType else {
            throw KernelError.invalidInput("input types differ: \(a.dataType) and \(b.dataType)")
        }
        if a.dataType.isHalf { a = try a.widened(); b = try b.widened() }
        if a.dataType == .bool {
            return [try Broadcast.map(a, b, UInt8.self, UInt8.self, to: Bool.self) { compare($0, $1) }]
        }
        return [try dispatchNumeric(a.dataType, ComparisonVisitor(kernel: self, a: a, b: b))]
    }
}

struct ComparisonVisitor<K: ComparisonKernel>: NumericVisitor {
    let kernel: K
    let a: Tensor
    let b: Tensor

    func visit<T: NumericScalar>(_ type: T.Type) throws -> Tensor {
        try Broadcast.map(a, b, T.self, T.self, to: Bool.self) { kernel.compare($0, $1) }
    }
}
