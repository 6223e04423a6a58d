import Executor
import XCTest

final class HalfConversionTests: XCTestCase {
    func testWideningMatchesFloat16ForEveryCode() {
        let codes = (0...UInt16.max).map { $0 }
        var widened = [Float](repeating: 0, count: codes.count)
        codes.withUnsafeBufferPointer { bits in
            widened.withUnsafeMutableBufferPointer { HalfConversion.widen(bits, into: $0) }
        }
        for code in codes {
            let expected = Float(Float16(bitPattern: code))
            XCTAssertEqual(widened[Int(code)].bitPattern, expected.bitPattern, "code \(code)")
        }
    }

    /// Every half value, the exact midpoints between neighbours (ties to even), one float ulp on
    /// either side of them, values beyond the half range, and a stride through all float bits.
    func testNarrowingRoundsToNearestEvenLikeFloat16() {
        var samples: [Float] = [0, -0, .infinity, -.infinity, .nan, -.nan, 65504, 65519.996, 65520, 1e10, -1e10,
                                .leastNonzeroMagnitude, Float(Float16.leastNonzeroMagnitude) / 2, Float(Float16.leastNormalMagnitude)]
        for code in UInt16(0)..<0x7C00 {
            let value = Float(Float16(bitPattern: code))
            let next = Float(Float16(bitPattern: code + 1))
            let middle = (value + next) / 2
            samples += [value, middle, middle.nextUp, middle.nextDown]
        }
        samples += samples.map { -$0 }
        var bits: UInt32 = 0
        while bits < UInt32.max - 7919 {
            samples.append(Float(bitPattern: bits))
            bits += 7919
        }
        var narrowed = [UInt16](repeating: 0, count: samples.count)
        samples.withUnsafeBufferPointer { values in
            narrowed.withUnsafeMutableBufferPointer { HalfConversion.narrow(values, into: $0) }
        }
        var mismatches = 0
        for (index, value) in samples.enumerated() where narrowed[index] != Float16(value).bitPattern {
            if mismatches < 5 { XCTFail("\(value) (\(String(value.bitPattern, radix: 16))): \(narrowed[index]) != \(Float16(value).bitPattern)") }
            mismatches += 1
        }
        XCTAssertEqual(mismatches, 0)
        XCTAssertGreaterThan(samples.count, 600_000)
    }
}
