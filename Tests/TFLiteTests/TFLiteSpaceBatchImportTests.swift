import ModelFormats
import ModelIR
import XCTest

/// SPACE_TO_BATCH_ND → convolution → BATCH_TO_SPACE_ND, the form TensorFlow gives a dilated
/// convolution, becomes one dilated Conv; SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND on their own
/// become Pad, Reshape, Transpose and Slice. (The numbers are checked against the interpreter by
/// `TFLiteImportTests`.)
final class TFLiteSpaceBatchImportTests: XCTestCase {
    /// The fixture's five dilated layers, in order: Conv2D 2, SeparableConv2D 2, DepthwiseConv2D
    /// (2, 3), grouped Conv2D 3, SeparableConv2D 2.
    private let dilations: [[Int64]] = [[2, 2], [2, 2], [2, 3], [3, 3], [2, 2]]

    func testDilatedConvolutionChainsFoldIntoDilatedConvs() throws {
        for name in ["dilated_conv_float", "dilated_conv_int8"] {
            let model = try TFLiteModelFile.load(TFLiteFixture(name: name).modelURL)
            let convolutions = model.graph.nodes.filter { $0.opType == "Conv" }
            let dilated = convolutions.compactMap { $0.attribute("dilations")?.ints }.filter { $0 != [1, 1] }
            XCTAssertEqual(dilated, dilations, name)
            XCTAssertEqual(convolutions.count, 7, "\(name): five dilated and two pointwise convolutions")
            XCTAssertFalse(model.graph.nodes.contains { $0.opType == "Reshape" || $0.opType == "Slice" }, "\(name): no general lowering left")
            let padded = convolutions.filter { $0.attribute("pads") != nil }
            XCTAssertEqual(padded.count, 5, "\(name): the dilated convolutions pad explicitly")
        }
    }

    func testDilatedConvolutionPadsAreThePaddingsLessTheCrops() throws {
        let model = try TFLiteModelFile.load(TFLiteFixture(name: "dilated_conv_float").modelURL)
        let pads = model.graph.nodes.filter { $0.opType == "Conv" }.compactMap { $0.attribute("pads")?.ints }
        // SAME 3×3 dilated 2 pads 2 on every side; VALID pads nothing; SAME 3×3 dilated 3 pads 3;
        // SAME 2×2 dilated 2 pads 1 before and 1 after.
        XCTAssertEqual(pads, [[2, 2, 2, 2], [2, 2, 2, 2], [0, 0, 0, 0], [3, 3, 3, 3], [1, 1, 1, 1]])
    }

    func testSpaceToBatchAndBackOnTheirOwnArePadReshapeTransposeSlice() throws {
        let model = try TFLiteModelFile.load(TFLiteFixture(name: "space_batch_ops").modelURL)
        let types = model.graph.nodes.map(\.opType)
        XCTAssertEqual(types.filter { $0 == "Pad" }.count, 2, "both SPACE_TO_BATCH_ND pad")
        XCTAssertEqual(types.filter { $0 == "Slice" }.count, 2, "both BATCH_TO_SPACE_ND crop")
        XCTAssertEqual(types.filter { $0 == "Transpose" }.count, 4)
        XCTAssertFalse(types.contains("Conv"))
        let perms = model.graph.nodes.filter { $0.opType == "Transpose" }.compactMap { $0.attribute("perm")?.ints }
        XCTAssertTrue(perms.contains([2, 4, 0, 1, 3, 5]), "SPACE_TO_BATCH_ND moves the block offsets before the batch: \(perms)")
        XCTAssertTrue(perms.contains([2, 3, 0, 4, 1, 5]), "BATCH_TO_SPACE_ND interleaves them with the spatial axes: \(perms)")
    }
}
