@testable import Executor
import GraphChecker
import ModelIR
import TestSupport
import XCTest

/// MaxRoiPool on a 4×4 plane holding 4·row + column, its expected values worked out by hand from
/// the operator's definition (regions rounded half away from zero, bins ⌊·⌋…⌈·⌉, empty bins 0);
/// ONNX Runtime's CPU kernel gives the same values.
final class MaxRoiPoolTests: XCTestCase {
    static func model(spatialScale: Float) -> Model {
        GraphBuilder.model(
            [Node(name: "pool", opType: "MaxRoiPool", inputs: ["x", "rois"], outputs: ["y"],
                  attributes: [GraphBuilder.ints("pooled_shape", [2, 2]), GraphBuilder.float("spatial_scale", spatialScale)])],
            inputs: [GraphBuilder.value("x", .float, [1, 1, 4, 4]), GraphBuilder.value("rois", .float, [2, 5])],
            outputs: [GraphBuilder.value("y", .float, [2, 1, 2, 2])], opset: 22)
    }

    static let plane = GraphBuilder.tensor([1, 1, 4, 4], (0..<16).map(Float.init))

    func testRegionsAreCutIntoBinsThatTakeTheirLargestValue() throws {
        let rois = GraphBuilder.tensor([2, 5], [0, 0, 0, 3, 3, /* the inner 2×2 */ 0, 1, 1, 2, 2])
        let y = try runFloats(Self.model(spatialScale: 1), ["x": Self.plane, "rois": rois])
        XCTAssertEqual(y.shape, [2, 1, 2, 2])
        XCTAssertEqual(y.values, [5, 7, 13, 15, 5, 6, 9, 10])
    }

    func testScaledCoordinatesRoundHalfAwayFromZeroAndBinsOutsideAreZero() throws {
        // × 0.5: (1, 1, 5, 5) → (0.5, 0.5, 2.5, 2.5) → cells 1…3, three cells cut into bins of 1.5: rows and columns {1, 2} and {2, 3}.
        let rois = GraphBuilder.tensor([2, 5], [0, 1, 1, 5, 5, /* beyond the plane */ 0, 20, 20, 24, 24])
        XCTAssertEqual(try runFloats(Self.model(spatialScale: 0.5), ["x": Self.plane, "rois": rois]).values, [10, 11, 14, 15, 0, 0, 0, 0])
    }

    func testShapeIsInferredFromTheRegionsAndPooledShape() throws {
        let report = GraphChecker().check(Self.model(spatialScale: 1))
        XCTAssertTrue(report.isValid, "\(report.findings)")
    }
}
