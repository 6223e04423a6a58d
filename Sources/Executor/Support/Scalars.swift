import Foundation
import ModelIR

/// A numeric element type kernels can compute with directly: integers with numpy's wrapping
/// arithmetic (and division by zero giving 0 rather than trapping), floats with IEEE arithmetic.
/// Float16 and bfloat16 are not computed in: dispatch converts them to `Float` and rounds back.
public protocol NumericScalar: TensorScalar, Comparable {
    static var zero: Self { get }
    static var one: Self { get }
    static var isFloatingPointType: Bool { get }
    /// The smallest and largest values (−∞ and +∞ for floats).
    static var lowest: Self { get }
    static var highest: Self { get }
    /// `value` converted as ONNX's Cast converts from double (integers truncate and wrap).
    init(converting value: Double)
    /// `value` with integers wrapped to this width (floats round to nearest).
    init(wrapping value: Int64)
    var doubleValue: Double { get }
    static func add(_ a: Self, _ b: Self) -> Self
    static func subtract(_ a: Self, _ b: Self) -> Self
    static func multiply(_ a: Self, _ b: Self) -> Self
    static func divide(_ a: Self, _ b: Self) -> Self
    static func negate(_ a: Self) -> Self
    var isNaNValue: Bool { get }
}

/// A floating-point element type with the elementary functions (Float and Double).
public protocol RealScalar: NumericScalar, BinaryFloatingPoint {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func tan(_ x: Self) -> Self
    static func asin(_ x: Self) -> Self
    static func acos(_ x: Self) -> Self
    static func atan(_ x: Self) -> Self
    static func sinh(_ x: Self) -> Self
    static func cosh(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func asinh(_ x: Self) -> Self
    static func acosh(_ x: Self) -> Self
    static func atanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func fmod(_ x: Self, _ y: Self) -> Self
}

extension NumericScalar where Self: BinaryFloatingPoint {
    public static var zero: Self { 0 }
    public static var one: Self { 1 }
    public static var isFloatingPointType: Bool { true }
    public static var lowest: Self { -.infinity }
    public static var highest: Self { .infinity }
    public init(converting value: Double) { self.init(value) }
    public init(wrapping value: Int64) { self.init(value) }
    public var doubleValue: Double { Double(self) }
    public static func add(_ a: Self, _ b: Self) -> Self { a + b }
    public static func subtract(_ a: Self, _ b: Self) -> Self { a - b }
    public static func multiply(_ a: Self, _ b: Self) -> Self { a * b }
    public static func divide(_ a: Self, _ b: Self) -> Self { a / b }
    public static func negate(_ a: Self) -> Self { -a }
    public var isNaNValue: Bool { isNaN }
}

extension NumericScalar where Self: FixedWidthInteger {
    public static var zero: Self { 0 }
    public static var one: Self { 1 }
    public static var isFloatingPointType: Bool { false }
    public static var lowest: Self { .min }
    public static var highest: Self { .max }
    public init(converting value: Double) {
        guard value.isFinite else { self = 0; return }
        let truncated = value.rounded(.towardZero)
        if let exact = Int64(exactly: truncated) { self.init(truncatingIfNeeded: exact) }
        else if let exact = UInt64(exactly: truncated) { self.init(truncatingIfNeeded: exact) }
        else { self = 0 }
    }
    public init(wrapping value: Int64) { self.init(truncatingIfNeeded: value) }
    public var doubleValue: Double { Double(self) }
    public static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    public static func subtract(_ a: Self, _ b: Self) -> Self { a &- b }
    public static func multiply(_ a: Self, _ b: Self) -> Self { a &* b }
    /// Truncating division; division by zero gives 0 and `min / −1` wraps, instead of trapping.
    public static func divide(_ a: Self, _ b: Self) -> Self {
        guard b != 0 else { return 0 }
        return a.dividedReportingOverflow(by: b).partialValue
    }
    public static func negate(_ a: Self) -> Self { 0 &- a }
    public var isNaNValue: Bool { false }
}

extension Float: NumericScalar, RealScalar {
    public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    public static func log(_ x: Float) -> Float { Foundation.log(x) }
    public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
    public static func sin(_ x: Float) -> Float { Foundation.sin(x) }
    public static func cos(_ x: Float) -> Float { Foundation.cos(x) }
    public static func tan(_ x: Float) -> Float { Foundation.tan(x) }
    public static func asin(_ x: Float) -> Float { Foundation.asin(x) }
    public static func acos(_ x: Float) -> Float { Foundation.acos(x) }
    public static func atan(_ x: Float) -> Float { Foundation.atan(x) }
    public static func sinh(_ x: Float) -> Float { Foundation.sinh(x) }
    public static func cosh(_ x: Float) -> Float { Foundation.cosh(x) }
    public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    public static func asinh(_ x: Float) -> Float { Foundation.asinh(x) }
    public static func acosh(_ x: Float) -> Float { Foundation.acosh(x) }
    public static func atanh(_ x: Float) -> Float { Foundation.atanh(x) }
    public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
    public static func log1p(_ x: Float) -> Float { Foundation.log1p(x) }
    public static func expm1(_ x: Float) -> Float { Foundation.expm1(x) }
    public static func fmod(_ x: Float, _ y: Float) -> Float { Foundation.fmod(x, y) }
}

extension Double: NumericScalar, RealScalar {
    public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    public static func log(_ x: Double) -> Double { Foundation.log(x) }
    public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    public static func tan(_ x: Double) -> Double { Foundation.tan(x) }
    public static func asin(_ x: Double) -> Double { Foundation.asin(x) }
    public static func acos(_ x: Double) -> Double { Foundation.acos(x) }
    public static func atan(_ x: Double) -> Double { Foundation.atan(x) }
    public static func sinh(_ x: Double) -> Double { Foundation.sinh(x) }
    public static func cosh(_ x: Double) -> Double { Foundation.cosh(x) }
    public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    public static func asinh(_ x: Double) -> Double { Foundation.asinh(x) }
    public static func acosh(_ x: Double) -> Double { Foundation.acosh(x) }
    public static func atanh(_ x: Double) -> Double { Foundation.atanh(x) }
    public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    public static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    public static func fmod(_ x: Double, _ y: Double) -> Double { Foundation.fmod(x, y) }
}

extension Int8: NumericScalar {}
extension Int16: NumericScalar {}
extension Int32: NumericScalar {}
extension Int64: NumericScalar {}
extension UInt8: NumericScalar {}
extension UInt16: NumericScalar {}
extension UInt32: NumericScalar {}
extension UInt64: NumericScalar {}
