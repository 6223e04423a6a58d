import Foundation
@testable import Harness
import XCTest

/// `match: detections`: rows paired with golden rows before the element-wise comparison.
final class DetectionMatchingTests: XCTestCase {
    /// Three detections `[x1, y1, x2, y2, score, class]`; the first two are near-tie scores.
    static let golden: [Double] = [
        10, 20, 110, 220, 0.9000010, 3,
        136, 40, 420, 130, 0.9000000, 7,
        5, 5, 50, 50, 0.5, 1,
    ]

    /// The same detections from another executor: the near ties swapped places, every value off
    /// by at most 1e-6.
    static let swapped: [Double] = [
        136, 40, 420, 130, 0.9000008, 7,
        10, 20, 110.000001, 220, 0.9000002, 3,
        5, 5, 50, 50, 0.5000001, 1,
    ]

    let thresholds = Thresholds([.rtol: 1e-6, .atol: 1e-5])

    func testSwappedNearTiesAreComparedWithTheirCounterparts() throws {
        let elementwise = try OutputComparator.compare(name: "detections", actual: Self.swapped, golden: Self.golden, shape: [1, 3, 6],
                                                       thresholds: thresholds)
        XCTAssertEqual(elementwise.maxAbsError, 310, accuracy: 1e-9, "x2 of one box against x2 of the other")
        XCTAssertNil(elementwise.reorderedRows)
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "ssd", path: "fp32", outputs: [elementwise])).status, .fail)

        var matched = thresholds
        matched.match = .detections
        let paired = try OutputComparator.compare(name: "detections", actual: Self.swapped, golden: Self.golden, shape: [1, 3, 6],
                                                  thresholds: matched)
        XCTAssertEqual(paired.maxAbsError, 1e-6, accuracy: 1e-12)
        XCTAssertEqual(paired.reorderedRows, 2)
        XCTAssertEqual(paired.mismatchCount, 0)
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "ssd", path: "fp32", outputs: [paired])), .pass)
    }

    func testAGenuinelyWrongBoxStillFails() throws {
        var wrong = Self.swapped
        wrong[6 + 1] += 8   // y1 of the detection that golden lists first
        var matched = thresholds
        matched.match = .detections
        let metrics = try OutputComparator.compare(name: "detections", actual: wrong, golden: Self.golden, shape: [3, 6], thresholds: matched)
        XCTAssertEqual(metrics.maxAbsError, 8, accuracy: 1e-9)
        XCTAssertEqual(metrics.mismatchCount, 1)
        let verdict = Gates().verdict(for: CellResult(model: "ssd", path: "fp32", outputs: [metrics]))
        XCTAssertEqual(verdict.status, .fail)
        XCTAssertTrue(verdict.reasons[0].hasPrefix("output 'detections': 1 of 18 elements"), verdict.reasons[0])
    }

    func testRowsArePairedWithinEachSampleOnly() throws {
        // Sample 1 holds sample 0's rows: pairing across samples would hide the difference.
        let golden: [Double] = [1, 1, 2, 2, /* sample 1 */ 7, 7, 9, 9]
        let actual: [Double] = [2, 2, 1, 1, /* sample 1 */ 1, 1, 2, 2]
        let paired = try DetectionMatching.pair(actual: actual, golden: golden, shape: [2, 2, 2], match: .detections, output: "boxes")
        XCTAssertEqual(paired.actual, [1, 1, 2, 2, /* sample 1: (2, 2) is nearest to (7, 7) */ 2, 2, 1, 1])
        XCTAssertEqual(paired.reorderedRows, 4)
        let metrics = try OutputComparator.compare(name: "boxes", actual: actual, golden: golden, shape: [2, 2, 2],
                                                   thresholds: Thresholds([.atol: 1e-3], match: .detections))
        XCTAssertEqual(metrics.maxAbsError, 8)
    }

    func testDetectionValuesPairSingleValuesAlongTheLastAxis() throws {
        let golden: [Double] = [0.91, 0.9100004, 0.3, /* sample 1 */ 0.8, 0.2, 0.1]
        let actual: [Double] = [0.9100003, 0.91, 0.3, /* sample 1 */ 0.8, 0.2, 0.1]
        let paired = try DetectionMatching.pair(actual: actual, golden: golden, shape: [2, 3], match: .detectionValues, output: "scores")
        XCTAssertEqual(paired.actual, [0.91, 0.9100003, 0.3, 0.8, 0.2, 0.1])
        XCTAssertEqual(paired.reorderedRows, 2)
        let rows = try DetectionMatching.layout(of: [2, 3], match: .detections, output: "scores")
        XCTAssertEqual(rows.samples, 1, "without detection_values a [2, 3] output is two detections of three values")
        XCTAssertEqual(rows.rows, 2)
    }

    func testShapesThatCannotBePairedSayWhy() {
        XCTAssertThrowsError(try DetectionMatching.pair(actual: [1], golden: [1], shape: [], match: .detections, output: "n")) { error in
            XCTAssertEqual((error as? CompareError)?.description,
                           "output 'n' cannot be compared: match: detections needs an output of rank 1 or more, not a scalar")
        }
        let rows = DetectionMatching.maxRows + 1
        XCTAssertThrowsError(try DetectionMatching.layout(of: [rows, 4], match: .detections, output: "boxes")) { error in
            XCTAssertTrue(String(describing: error).contains("pairs at most \(DetectionMatching.maxRows) detections per sample"), "\(error)")
        }
    }

    func testNoiseFloorPairsTheFloat64RunLikeTheGolden() throws {
        let floor = try NoiseFloorMeter.floor(float32: Self.swapped, float64: Self.golden, shape: [3, 6], match: .detections, output: "d")
        XCTAssertEqual(floor.maxAbsError, 1e-6, accuracy: 1e-12)
    }
}
