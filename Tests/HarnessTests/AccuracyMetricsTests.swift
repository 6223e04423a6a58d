@testable import Harness
import XCTest

/// Accuracy and its loss against golden, from labels.
final class AccuracyMetricsTests: XCTestCase {
    func testAccuracyAndLoss() throws {
        // Golden predicts [1, 0, 2, 2]; labels [1, 0, 2, 1] → 3/4. Actual predicts [1, 2, 2, 2] → 2/4.
        let golden: [Double] = [0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1]
        let actual: [Double] = [0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1]
        let accuracy = try AccuracyMetrics.compute(output: "y", actual: actual, golden: golden, shape: [4, 3], labels: [1, 0, 2, 1])
        XCTAssertEqual(accuracy.goldenAccuracy, 0.75)
        XCTAssertEqual(accuracy.accuracy, 0.5)
        XCTAssertEqual(accuracy.loss, 0.25)
        XCTAssertEqual(try XCTUnwrap(accuracy.relativeLoss), 1.0 / 3.0, accuracy: 1e-15)
        XCTAssertEqual(accuracy.samples, 4)
        // A single sigmoid per sample: ≥ 0.5 is class 1.
        XCTAssertEqual(AccuracyMetrics.accuracy([0.7, 0.2, 0.5], width: 1, labels: [1, 0, 0]), 2.0 / 3.0)
        XCTAssertThrowsError(try AccuracyMetrics.compute(output: "y", actual: actual, golden: golden, shape: [4, 3], labels: [1])) { error in
            XCTAssertEqual(error as? CompareError, .labelCount(output: "y", samples: 4, labels: 1))
        }
    }
}
