import Executor
import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// NonMaxSuppression selects exactly the boxes ONNX Runtime selects, in the same order, on seeded
/// boxes recorded by `Tools/fixtures/record_nms_ort_cases.py` (Tests/Fixtures/nms-ort): batched NMS
/// with per-class coordinate offsets as torchvision exports it, dense overlapping clusters over
/// batches and classes with a score threshold, center-point boxes of very different sizes with tied
/// scores and negative widths, and edge-sharing boxes under an IoU threshold of 0.
final class NonMaxSuppressionTests: XCTestCase {
    private func assertMatchesONNXRuntime(_ name: String, selected expectedCount: Int,
                                          file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = FixturePaths.fixture("nms-ort/\(name)")
        let model = try ONNXModelFile.load(folder.appendingPathComponent("model.onnx"))
        let boxes = try TensorProtoFile.load(folder.appendingPathComponent("input_0.pb"))
        let scores = try TensorProtoFile.load(folder.appendingPathComponent("input_1.pb"))
        let expected = try TensorProtoFile.load(folder.appendingPathComponent("output_0.pb"))
        XCTAssertEqual(expected.shape, [expectedCount, 3], "the recorded selection", file: file, line: line)

        let result = try Evaluator(model: model).run(tensors: ["boxes": boxes, "scores": scores])
        let selected = try XCTUnwrap(result["selected"]?.tensor, file: file, line: line)

        XCTAssertEqual(selected.dataType, .int64, file: file, line: line)
        XCTAssertEqual(selected.shape, expected.shape, file: file, line: line)
        XCTAssertEqual(try selected.int64Values(), try expected.int64Values(), file: file, line: line)
    }

    func testBatchedNMSWithClassOffsetsAsTorchvisionExportsIt() throws {
        try assertMatchesONNXRuntime("offset_classes", selected: 875)
    }

    func testDenseClustersOverBatchesAndClassesWithScoreThresholdAndLimit() throws {
        try assertMatchesONNXRuntime("dense_cluster", selected: 69)
    }

    func testCenterPointBoxesOfMixedSizesWithTiedScores() throws {
        try assertMatchesONNXRuntime("center_mixed", selected: 276)
    }

    func testEdgeSharingBoxesDoNotSuppressAtIoUThresholdZero() throws {
        try assertMatchesONNXRuntime("touching_grid", selected: 31)
    }
}
