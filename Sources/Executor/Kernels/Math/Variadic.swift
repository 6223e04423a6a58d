import ModelIR

/// Folds any number of inputs pairwise with broadcasting.
protocol VariadicKernel: BinaryNumericKernel, AttributeFreeKernel {}

extension VariadicKernel {
    static var inputArity: ClosedRange<Int> { 1...variadic }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        var result = try inputs.required(0)
        for index in 1..<max(inputs.count, 1) { result = try broadcasting(result, inputs.required(index)) }
        return [result]
    }
}

struct Sum_1: VariadicKernel {
    static let opType = "Sum", sinceVersion = 1
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { .add(a, b) }
}

/// Max propagates NaN, as numpy's maximum does.
struct Max_1: VariadicKernel {
    static let opType = "Max", sinceVersion = 1
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { a.isNaNValue || b.isNaNValue ? (a.isNaNValue ? a : b) : (a < b ? b : a) }
}

struct Min_1: VariadicKernel {
    static let opType = "Min", sinceVersion = 1
    func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { a.isNaNValue || b.isNaNValue ? (a.isNaNValue ? a : b) : (b < a ? b : a) }
}

struct Mean_1: TensorKernel, AttributeFreeKernel {
    static let opType = "Mean", sinceVersion = 1
    static let inputArity = 1...variadic

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        var sum = try inputs.required(0)
        for index in 1..<inputs.count { sum = try Sum_1().broadcasting(sum, inputs.required(index)) }
        let count = Tensor(scalar: Float(inputs.count))
        let divisor = sum.dataType == .float ? count : try Tensor(converting: [Double(inputs.count)], to: sum.dataType, shape: [])
        return [try Div_7().broadcasting(sum, divisor)]
    }
}
