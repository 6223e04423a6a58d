@testable import Harness
import ModelIR
import TestSupport
import XCTest

/// A detector's outputs read from its graph: boxes paired as `detections`, one value per box as
/// `detection_values`, when the model runs NMS and `corpus.yml` says nothing.
final class DetectorOutputsTests: XCTestCase {
    /// An output whose first `open` axes the graph leaves to the data.
    private func output(_ name: String, _ type: DataType, _ shape: [Int], open: Int = 1) -> ValueInfo {
        ValueInfo(name: name, elementType: type,
                  shape: TensorShape(shape.indices.map { $0 < open ? .symbolic("detections") : .fixed(shape[$0]) }))
    }

    private let nms = Node(opType: "NonMaxSuppression", inputs: ["all_boxes", "all_scores"], outputs: ["selected"])

    /// torchvision's layout: boxes [K, 4], scores [K], labels [K] (int64), masks [K, 1, 2, 2].
    private func golden(detections k: Int) throws -> [String: Tensor] {
        [
            "boxes": try Tensor(shape: [k, 4], scalars: [Float](repeating: 1, count: k * 4)),
            "scores": try Tensor(shape: [k], scalars: [Float](repeating: 0.5, count: k)),
            "labels": try Tensor(shape: [k], scalars: [Int64](repeating: 3, count: k)),
            "masks": try Tensor(shape: [k, 1, 2, 2], scalars: [Float](repeating: 0, count: k * 4)),
        ]
    }

    private var outputs: [ValueInfo] {
        [output("boxes", .float, [3, 4]), output("scores", .float, [3]), output("labels", .int64, [3]), output("masks", .float, [3, 1, 2, 2])]
    }

    func testBoxesScoresAndLabelsOfADetectorArePaired() throws {
        let model = GraphBuilder.model([nms], inputs: [], outputs: outputs)
        XCTAssertEqual(OutputMatch.detectorOutputs(of: model, golden: try golden(detections: 3)),
                       ["boxes": .detections, "scores": .detectionValues, "labels": .detectionValues])
    }

    func testAModelWithoutNMSIsNotADetector() throws {
        let model = GraphBuilder.model([Node(opType: "TopK", inputs: ["all_scores", "k"], outputs: ["selected", "i"])], inputs: [], outputs: outputs)
        XCTAssertEqual(OutputMatch.detectorOutputs(of: model, golden: try golden(detections: 3)), [:])
    }

    func testNMSInALoopBodyOrALocalFunctionCounts() throws {
        let body = Graph(name: "body", nodes: [nms])
        let loop = Node(opType: "Loop", inputs: ["n", "c"], outputs: ["selected"], attributes: [GraphBuilder.graph("body", body)])
        let inLoop = GraphBuilder.model([loop], inputs: [], outputs: outputs)
        XCTAssertEqual(OutputMatch.detectorOutputs(of: inLoop, golden: try golden(detections: 2))["boxes"], .detections)

        let function = Function(name: "postprocess", domain: "local", inputs: ["all_boxes", "all_scores"], outputs: ["selected"], nodes: [nms])
        let call = Node(opType: "postprocess", domain: "local", inputs: ["all_boxes", "all_scores"], outputs: ["selected"])
        let inFunction = GraphBuilder.model([call], inputs: [], outputs: outputs, functions: [function],
                                            extraOpsets: [OpsetImport(domain: "local", version: 1)])
        XCTAssertEqual(OutputMatch.detectorOutputs(of: inFunction, golden: try golden(detections: 2))["scores"], .detectionValues)
    }

    func testAFixedSizeListAndOtherShapesKeepElementwiseComparison() throws {
        let fixed = [output("boxes", .float, [3, 4], open: 0), output("scores", .float, [3], open: 0)]
        XCTAssertEqual(OutputMatch.detectorOutputs(of: GraphBuilder.model([nms], inputs: [], outputs: fixed), golden: try golden(detections: 3)),
                       [:], "a list whose length the graph fixes is not what NMS selected")

        var golden = try golden(detections: 3)
        golden["scores"] = try Tensor(shape: [2], scalars: [Float(0.5), 0.4])
        XCTAssertEqual(OutputMatch.detectorOutputs(of: GraphBuilder.model([nms], inputs: [], outputs: outputs), golden: golden),
                       ["boxes": .detections, "labels": .detectionValues], "scores of another count are not the boxes' values")
    }

    func testBatchedDetectionsPairWithinTheirSamples() throws {
        let outputs = [output("detection_boxes", .float, [1, 5, 4], open: 2), output("detection_scores", .float, [1, 5], open: 2)]
        let golden = ["detection_boxes": try Tensor(shape: [1, 5, 4], scalars: [Float](repeating: 1, count: 20)),
                      "detection_scores": try Tensor(shape: [1, 5], scalars: [Float](repeating: 1, count: 5))]
        XCTAssertEqual(OutputMatch.detectorOutputs(of: GraphBuilder.model([nms], inputs: [], outputs: outputs), golden: golden),
                       ["detection_boxes": .detections, "detection_scores": .detectionValues])
    }
}
