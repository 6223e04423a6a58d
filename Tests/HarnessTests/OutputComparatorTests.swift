import Foundation
@testable import Harness
import ModelIR
import XCTest

/// Metric values on examples small enough to compute by hand.
final class OutputComparatorTests: XCTestCase {
    func testCosineOfOrthogonalAndDiagonalIsOneOverRootTwo() throws {
        let metrics = try OutputComparator.compare(name: "y", actual: [1, 1], golden: [1, 0], shape: [2])
        XCTAssertEqual(metrics.cosine, 1 / 2.0.squareRoot(), accuracy: 1e-15)
        // noise = [0, 1]: SNR = 10·log10(1 / 1) = 0 dB.
        XCTAssertEqual(metrics.snrDB, 0, accuracy: 1e-12)
        XCTAssertEqual(metrics.maxAbsError, 1)
        XCTAssertEqual(metrics.meanAbsError, 0.5)
        // Relative error skips the golden zero.
        XCTAssertEqual(metrics.maxRelError, 0)
        XCTAssertNil(metrics.top1Agreement)
    }

    func testErrorsToleranceAndMinimumPassingTolerances() throws {
        // golden [1, 2, 4, 0], actual [1.1, 2, 3.8, 0.01]: differences 0.1, 0, 0.2, 0.01.
        let thresholds = Thresholds([.rtol: 0.01, .atol: 0.05])
        let m = try OutputComparator.compare(name: "y", actual: [1.1, 2, 3.8, 0.01], golden: [1, 2, 4, 0], shape: [4], thresholds: thresholds)
        XCTAssertEqual(m.maxAbsError, 0.2, accuracy: 1e-12)
        XCTAssertEqual(m.meanAbsError, 0.31 / 4, accuracy: 1e-12)
        XCTAssertEqual(m.maxRelError, 0.1, accuracy: 1e-12)           // 0.1/1 beats 0.2/4
        // allowed = 0.05 + 0.01·|g| = 0.06, 0.07, 0.09, 0.05 → elements 0 and 2 fail.
        XCTAssertEqual(m.mismatchCount, 2)
        XCTAssertEqual(m.mismatchFraction, 0.5)
        // min atol for rtol 0.01: max(0.1 − 0.01, 0, 0.2 − 0.04, 0.01) = 0.16.
        XCTAssertEqual(m.minPassingAtol, 0.16, accuracy: 1e-12)
        // min rtol for atol 0.05: max((0.1 − 0.05)/1, (0.2 − 0.05)/4) = 0.05; the zero passes by atol.
        XCTAssertEqual(m.minPassingRtol, 0.05, accuracy: 1e-12)
        // Σg² = 21, Σ(a−g)² = 0.01 + 0.04 + 0.0001 = 0.0501.
        XCTAssertEqual(m.snrDB, 10 * log10(21 / 0.0501), accuracy: 1e-9)
        XCTAssertEqual(m.rtol, 0.01)
        XCTAssertEqual(m.atol, 0.05)
        XCTAssertEqual(m.thresholds, thresholds)
        // Histogram: 0 exact; 0.01 in [1e-2, 1e-1); 0.1 and 0.2 in [1e-1, 1).
        let counts = Dictionary(uniqueKeysWithValues: m.errorHistogram.bins.map { ($0.label, $0.count) })
        XCTAssertEqual(counts["0"], 1)
        XCTAssertEqual(counts["1e-2–1e-1"], 1)
        XCTAssertEqual(counts["1e-1–1e0"], 2)
        XCTAssertEqual(m.errorHistogram.total, 4)
    }

    func testZeroGoldenWithErrorBeyondAtolHasNoPassingRtol() throws {
        let m = try OutputComparator.compare(name: "y", actual: [0.5], golden: [0], shape: [1], thresholds: Thresholds([.atol: 0.1]))
        XCTAssertEqual(m.minPassingRtol, .infinity)
        XCTAssertEqual(m.minPassingAtol, 0.5)
        XCTAssertEqual(m.cosine, 0)
        XCTAssertEqual(m.snrDB, -.infinity)
    }

    func testIdenticalOutputs() throws {
        let m = try OutputComparator.compare(name: "y", actual: [0, 0, 3], golden: [0, 0, 3], shape: [3])
        XCTAssertEqual(m.snrDB, .infinity)
        XCTAssertEqual(m.cosine, 1)
        XCTAssertEqual(m.mismatchCount, 0)
        XCTAssertEqual(m.minPassingAtol, 0)
        XCTAssertEqual(m.minPassingRtol, 0)
        let zeros = try OutputComparator.compare(name: "y", actual: [0, 0], golden: [0, 0], shape: [2])
        XCTAssertEqual(zeros.cosine, 1)
    }

    func testNaNAndInfinity() throws {
        let m = try OutputComparator.compare(name: "y", actual: [.nan, .infinity, 1, .nan, -.infinity],
                                             golden: [.nan, .infinity, 1, 2, .infinity], shape: [5],
                                             thresholds: Thresholds([.rtol: 0, .atol: 0]))
        XCTAssertEqual(m.nanCount, 2)
        XCTAssertEqual(m.infCount, 2)
        XCTAssertEqual(m.goldenNaNCount, 1)
        XCTAssertEqual(m.goldenInfCount, 2)
        // NaN↔NaN and +∞↔+∞ match; NaN↔2 and −∞↔+∞ do not.
        XCTAssertEqual(m.mismatchCount, 2)
        XCTAssertEqual(m.maxAbsError, .infinity)
        XCTAssertEqual(m.minPassingAtol, .infinity)
        XCTAssertEqual(m.errorHistogram.bins.last?.count, 2)
        // Only the finite pair (1, 1) enters cosine and SNR.
        XCTAssertEqual(m.cosine, 1)
        XCTAssertEqual(m.snrDB, .infinity)
    }

    func testTop1AgreementOverSampleAxis() throws {
        // 3 samples × 3 classes; samples 0 and 2 agree.
        let golden: [Double] = [0.1, 0.8, 0.1, 0.7, 0.2, 0.1, 0.0, 0.1, 0.9]
        let actual: [Double] = [0.2, 0.7, 0.1, 0.3, 0.6, 0.1, 0.1, 0.0, 0.9]
        let m = try OutputComparator.compare(name: "probs", actual: actual, golden: golden, shape: [3, 3])
        XCTAssertEqual(try XCTUnwrap(m.top1Agreement), 2.0 / 3.0, accuracy: 1e-15)
        XCTAssertEqual(OutputComparator.top1Agreement(actual: [1, 2], golden: [1, 2], shape: [2, 1]), nil)
        XCTAssertEqual(OutputComparator.argmax([.nan, 3, 3, 1]), 1)
    }

    func testTensorsOfOtherTypesAndShapeMismatch() throws {
        let golden = try Tensor(shape: [2, 2], scalars: [Float(1), 2, 3, 4])
        let half = try Tensor(converting: [1, 2, 3, 4.5], to: .float16, shape: [1, 4])
        let m = try OutputComparator.compare(name: "y", actual: half, golden: golden)
        XCTAssertEqual(m.shape, [2, 2])
        XCTAssertEqual(m.maxAbsError, 0.5)
        let wrong = try Tensor(shape: [3], scalars: [Float(1), 2, 3])
        XCTAssertThrowsError(try OutputComparator.compare(name: "y", actual: wrong, golden: golden)) { error in
            XCTAssertEqual(error as? CompareError, .shapeMismatch(output: "y", actual: [3], golden: [2, 2]))
            XCTAssertEqual(String(describing: error), "output 'y' has shape [3] but its golden values have shape [2, 2]")
        }
        let strings = try Tensor(shape: [4], strings: [[1], [2], [3], [4]])
        XCTAssertThrowsError(try OutputComparator.compare(name: "s", actual: strings, golden: golden))
    }
}
