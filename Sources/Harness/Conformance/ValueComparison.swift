import Executor
import ModelIR

/// Compares an actual value with an expected one as onnx's backend test runner does: types and
/// shapes must match; floating-point elements must satisfy `|a − e| ≤ atol + rtol·|e|` with NaN
/// equal to NaN and infinities equal only to themselves; integers, bools and strings must be equal.
public struct ValueComparison: Sendable {
    public var rtol: Double
    public var atol: Double

    public init(rtol: Double = 1e-3, atol: Double = 1e-7) {
        self.rtol = rtol
        self.atol = atol
    }

    /// Nil when `actual` matches `expected`, else why not.
    public func mismatch(_ actual: RuntimeValue, _ expected: RuntimeValue) -> String? {
        switch (actual, expected) {
        case let (.tensor(a), .tensor(e)):
            return mismatch(a, e)
        case let (.sequence(a), .sequence(e)):
            guard a.count == e.count else { return "sequence of \(a.count) tensors, expected \(e.count)" }
            for (index, (x, y)) in zip(a, e).enumerated() {
                if let problem = mismatch(x, y) { return "sequence element \(index): \(problem)" }
            }
            return nil
        case let (.optional(a), .optional(e)):
            switch (a, e) {
            case (nil, nil): return nil
            case (nil, _?): return "empty optional, expected a value"
            case (_?, nil): return "optional holds a value, expected empty"
            case let (x?, y?): return mismatch(x, y)
            }
        case let (.optional(a?), e):
            return mismatch(a, e)
        case let (a, .optional(e?)):
            return mismatch(a, e)
        default:
            return "got \(actual.summary), expected \(expected.summary)"
        }
    }

    public func mismatch(_ actual: Tensor, _ expected: Tensor) -> String? {
        guard actual.dataType == expected.dataType else { return "type \(actual.dataType), expected \(expected.dataType)" }
        guard actual.shape == expected.shape else { return "shape \(actual.shape), expected \(expected.shape)" }
        if let a = actual.strings, let e = expected.strings {
            guard let index = a.indices.first(where: { a[$0] != e[$0] }) else { return nil }
            return "string element \(index) is '\(String(decoding: a[index], as: UTF8.self))', expected '\(String(decoding: e[index], as: UTF8.self))'"
        }
        if !actual.dataType.isFloatingPoint {
            if actual.hasSameContent(as: expected) { return nil }
            guard let a = try? actual.int64Values(), let e = try? expected.int64Values() else { return "values differ" }
            guard let index = a.indices.first(where: { a[$0] != e[$0] }) else { return nil }
            return "element \(index) is \(a[index]), expected \(e[index]) (\(mismatchCount(a, e)) of \(a.count) differ)"
        }
        guard let a = try? actual.doubleValues(), let e = try? expected.doubleValues() else { return "values cannot be read" }
        var first: Int?
        var count = 0
        var worst = 0.0
        for index in a.indices where !close(a[index], e[index]) {
            if first == nil { first = index }
            count += 1
            worst = max(worst, abs(a[index] - e[index]))
        }
        guard let first else { return nil }
        return "element \(first) is \(a[first]), expected \(e[first]) (\(count) of \(a.count) differ, max abs error \(worst))"
    }

    private func close(_ a: Double, _ e: Double) -> Bool {
        if a.isNaN || e.isNaN { return a.isNaN && e.isNaN }
        if a.isInfinite || e.isInfinite { return a == e }
        return abs(a - e) <= atol + rtol * abs(e)
    }

    private func mismatchCount(_ a: [Int64], _ e: [Int64]) -> Int { zip(a, e).filter { $0.0 != $0.1 }.count }
}
