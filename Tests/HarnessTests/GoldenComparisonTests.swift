import Foundation
@testable import Harness
import ModelIR
import XCTest

/// Pairing a cell's outputs with the golden file's datasets.
final class GoldenComparisonTests: XCTestCase {
    func testPairsByNameOrTheSingleOutput() throws {
        XCTAssertEqual(try GoldenComparison.pair(outputs: ["dense_3"], golden: ["logits"]).map(\.golden), ["logits"])
        XCTAssertEqual(try GoldenComparison.pair(outputs: ["b", "a"], golden: ["a", "b", "c"]).map(\.golden), ["b", "a"])
        XCTAssertThrowsError(try GoldenComparison.pair(outputs: ["a", "z"], golden: ["b", "a"])) { error in
            XCTAssertEqual(String(describing: error), "the golden file has no outputs/z; it has outputs/a, outputs/b")
        }
    }

    func testComparesEveryOutputAndTakesAccuracyFromTheFirstClassifier() throws {
        let probs = try Tensor(shape: [2, 2], scalars: [Float(0.9), 0.1, 0.3, 0.7])
        let goldenProbs = try Tensor(shape: [2, 2], scalars: [Float(0.8), 0.2, 0.6, 0.4])
        let embedding = try Tensor(shape: [2, 1], scalars: [Float(1), 2])
        let labels = try Tensor(shape: [2], scalars: [Int64(0), 1])
        let result = try GoldenComparison.compare(actual: [("probs", probs), ("embedding", embedding)],
                                                  golden: ["probs": goldenProbs, "embedding": embedding], labels: labels,
                                                  thresholds: { $0 == "probs" ? Thresholds([.minCosine: 0.9]) : Thresholds([.atol: 0]) })
        XCTAssertEqual(result.outputs.map(\.name), ["probs", "embedding"])
        XCTAssertEqual(result.outputs[0].thresholds, Thresholds([.minCosine: 0.9]))
        XCTAssertEqual(result.outputs[0].top1Agreement, 0.5)
        XCTAssertEqual(result.outputs[1].snrDB, .infinity)
        // Golden predicts [0, 0] (1 of 2 right); the cell predicts [0, 1] (2 of 2).
        XCTAssertEqual(result.accuracy?.output, "probs")
        XCTAssertEqual(result.accuracy?.goldenAccuracy, 0.5)
        XCTAssertEqual(result.accuracy?.accuracy, 1)
        XCTAssertEqual(result.accuracy?.loss, -0.5)
        let unlabelled = try GoldenComparison.compare(actual: [("p", probs)], golden: ["q": goldenProbs], thresholds: { _ in Thresholds() })
        XCTAssertNil(unlabelled.accuracy)
        XCTAssertThrowsError(try GoldenComparison.compare(actual: [("p", embedding)], golden: ["q": goldenProbs], thresholds: { _ in Thresholds() })) { error in
            XCTAssertEqual(error as? CompareError, .shapeMismatch(output: "p", actual: [2, 1], golden: [2, 2]))
        }
    }
}
