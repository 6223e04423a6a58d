import ModelIR

struct Abs_1: UnaryNumericKernel, AttributeFreeKernel {
    static let opType = "Abs", sinceVersion = 1
    func apply<T: NumericScalar>(_ x: T) -> T { x < .zero ? .negate(x) : x }
}

struct Neg_1: UnaryNumericKernel, AttributeFreeKernel {
    static let opType = "Neg", sinceVersion = 1
    func apply<T: NumericScalar>(_ x: T) -> T { .negate(x) }
}

struct Sign_9: UnaryNumericKernel, AttributeFreeKernel {
    static let opType = "Sign", sinceVersion = 9
    func apply<T: NumericScalar>(_ x: T) -> T { x.isNaNValue ? x : x > .zero ? .one : x < .zero ? .negate(.one) : .zero }
}

struct Reciprocal_1: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Reciprocal", sinceVersion = 1
    func apply<T: RealScalar>(_ x: T) -> T { 1 / x }
}

struct Floor_1: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Floor", sinceVersion = 1
    func apply<T: RealScalar>(_ x: T) -> T { x.rounded(.down) }
}

struct Ceil_1: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Ceil", sinceVersion = 1
    func apply<T: RealScalar>(_ x: T) -> T { x.rounded(.up) }
}

/// Rounds half to even.
struct Round_11: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Round", sinceVersion = 11
    func apply<T: RealScalar>(_ x: T) -> T { x.rounded(.toNearestOrEven) }
}

struct Sqrt_1: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Sqrt", sinceVersion = 1
    func apply<T: RealScalar>(_ x: T) -> T { x.squareRoot() }
}

struct Exp_1: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Exp", sinceVersion = 1
    func apply<T: RealScalar>(_ x: T) -> T { .exp(x) }
}

struct Log_1: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Log", sinceVersion = 1
    func apply<T: RealScalar>(_ x: T) -> T { .log(x) }
}

struct Erf_9: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Erf", sinceVersion = 9
    func apply<T: RealScalar>(_ x: T) -> T { .erf(x) }
}

struct Sin_7: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Sin", sinceVersion = 7
    func apply<T: RealScalar>(_ x: T) -> T { .sin(x) }
}

struct Cos_7: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Cos", sinceVersion = 7
    func apply<T: RealScalar>(_ x: T) -> T { .cos(x) }
}

struct Tan_7: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Tan", sinceVersion = 7
    func apply<T: RealScalar>(_ x: T) -> T { .tan(x) }
}

struct Asin_7: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Asin", sinceVersion = 7
    func apply<T: RealScalar>(_ x: T) -> T { .asin(x) }
}

struct Acos_7: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Acos", sinceVersion = 7
    func apply<T: RealScalar>(_ x: T) -> T { .acos(x) }
}

struct Atan_7: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Atan", sinceVersion = 7
    func apply<T: RealScalar>(_ x: T) -> T { .atan(x) }
}

struct Sinh_9: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Sinh", sinceVersion = 9
    func apply<T: RealScalar>(_ x: T) -> T { .sinh(x) }
}

struct Cosh_9: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Cosh", sinceVersion = 9
    func apply<T: RealScalar>(_ x: T) -> T { .cosh(x) }
}

struct Asinh_9: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Asinh", sinceVersion = 9
    func apply<T: RealScalar>(_ x: T) -> T { .asinh(x) }
}

struct Acosh_9: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Acosh", sinceVersion = 9
    func apply<T: RealScalar>(_ x: T) -> T { .acosh(x) }
}

struct Atanh_9: UnaryRealKernel, AttributeFreeKernel {
    static let opType = "Atanh", sinceVersion = 9
    func apply<T: RealScalar>(_ x: T) -> T { .atanh(x) }
}
