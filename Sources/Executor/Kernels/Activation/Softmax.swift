import ModelIR

/// The softmax family over one axis of `x` viewed as outer × axis × inner.
///
/// Softmax and LogSoftmax are defined by function bodies (`x − ReduceMax`, `Exp`, `ReduceSum`,
/// then `Div`, or `Log` and `Sub`) whose intermediate tensors have the input's type. Each step is
/// computed in double precision; for 16-bit float inputs its result is rounded to the input type
/// as that intermediate tensor would be, so that the kernel agrees with its own function body.
enum SoftmaxFamily {
    case softmax, logSoftmax, hardmax

    func apply(_ x: Tensor, outer: Int, length: Int, inner: Int) throws -> Tensor {
        let values = try x.doubleValues()
        let stored = Self.storageRounding(x.dataType)
        var result = [Double](repeating: 0, count: values.count)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var maximum = -Double.infinity, argmax = 0
                for k in 0..<length where k == 0 || values[base + k * inner] > maximum {
                    maximum = values[base + k * inner]
                    argmax = k
                }
                switch self {
                case .hardmax:
                    if length > 0 { result[base + argmax * inner] = 1 }
                case .softmax, .logSoftmax:
                    var sum = 0.0
                    for k in 0..<length { sum += stored(Double.exp(stored(values[base + k * inner] - maximum))) }
                    sum = stored(sum)
                    let logSum = stored(Double.log(sum))
                    for k in 0..<length {
                        let shifted = stored(values[base + k * inner] - maximum)
                        result[base + k * inner] = self == .softmax ? stored(Double.exp(shifted)) / sum : shifted - logSum
                    }
                }
            }
        }
        return try Tensor(converting: result, to: x.dataType, shape: x.shape)
    }

    /// Rounds an intermediate value to what a tensor of `type` holds: to float16 or bfloat16 for
    /// those types, unchanged for wider ones (whose steps stay in double precision).
    static func storageRounding(_ type: DataType) -> (Double) -> Double {
        switch type {
        case .float16: return { Double(Float16($0)) }
        case .bfloat16: return { Double(BFloat16.decode(BFloat16.encode(Float($0)))) }
        default: return { $0 }
        }
    }

    /// Opsets 1–12: the input is coerced to 2-D at `axis` and the family applied to each row.
    func coerced(_ x: Tensor, axis: Int) throws -> Tensor {
        let split = axis < 0 ? axis + x.rank : axis
        guard split >= 0 && split <= x.rank else { throw KernelError.invalidAttribute("axis \(axis) out of range for rank \(x.rank)") }
        return try apply(x, outer: x.shape[..<split].reduce(1, *), length: x.shape[split...].reduce(1, *), inner: 1)
    }

    /// From opset 13: along one axis.
    func along(_ x: Tensor, axis: Int) throws -> Tensor {
        let axis = try normalizedAxis(axis, rank: x.rank)
        guard x.rank > 0 else { return try apply(x, outer: 1, length: 1, inner: 1) }
        return try apply(x, outer: x.shape[..<axis].reduce(1, *), length: x.shape[axis], inner: x.shape[(axis + 1)...].reduce(1, *))
    }
}

struct Softmax_1: TensorKernel {
    static let opType = "Softmax", sinceVersion = 1
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.int("axis", default: 1) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try SoftmaxFamily.softmax.coerced(inputs.required(0), axis: axis)] }
}

struct Softmax_13: TensorKernel {
    static let opType = "Softmax", sinceVersion = 13
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.int("axis", default: -1) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try SoftmaxFamily.softmax.along(inputs.required(0), axis: axis)] }
}

struct LogSoftmax_1: TensorKernel {
    static let opType = "LogSoftmax", sinceVersion = 1
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.int("axis", default: 1) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try SoftmaxFamily.logSoftmax.coerced(inputs.required(0), axis: axis)] }
}

struct LogSoftmax_13: TensorKernel {
    static let opType = "LogSoftmax", sinceVersion = 13
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.int("axis", default: -1) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try SoftmaxFamily.logSoftmax.along(inputs.required(0), axis: axis)] }
}

struct Hardmax_1: TensorKernel {
    static let opType = "Hardmax", sinceVersion = 1
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.int("axis", default: 1) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try SoftmaxFamily.hardmax.coerced(inputs.required(0), axis: axis)] }
}

struct Hardmax_13: TensorKernel {
    static let opType = "Hardmax", sinceVersion = 13
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.int("axis", default: -1) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try SoftmaxFamily.hardmax.along(inputs.required(0), axis: axis)] }
}
