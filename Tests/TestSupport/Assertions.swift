import Foundation
import XCTest

/// Asserts that `actual` and `expected` have the same count and that every pair of elements
/// satisfies `|a − e| ≤ atol + rtol·|e|` (NaN matches NaN), reporting the first mismatch at the caller's line.
public func assertClose(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-6,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("count \(actual.count) ≠ expected \(expected.count)\(suffix(message()))", file: file, line: line)
        return
    }
    for index in actual.indices {
        let a = actual[index], e = expected[index]
        if a.isNaN && e.isNaN { continue }
        if a == e { continue }
        if !(abs(a - e) <= atol + rtol * abs(e)) {
            XCTFail("element \(index): \(a) ≠ expected \(e) (rtol \(rtol), atol \(atol))\(suffix(message()))", file: file, line: line)
            return
        }
    }
}

/// `assertClose` for doubles.
public func assertClose(_ actual: [Double], _ expected: [Double], rtol: Double = 1e-9, atol: Double = 1e-12,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("count \(actual.count) ≠ expected \(expected.count)\(suffix(message()))", file: file, line: line)
        return
    }
    for index in actual.indices {
        let a = actual[index], e = expected[index]
        if (a.isNaN && e.isNaN) || a == e { continue }
        if !(abs(a - e) <= atol + rtol * abs(e)) {
            XCTFail("element \(index): \(a) ≠ expected \(e) (rtol \(rtol), atol \(atol))\(suffix(message()))", file: file, line: line)
            return
        }
    }
}

private func suffix(_ message: String) -> String { message.isEmpty ? "" : ": \(message)" }
