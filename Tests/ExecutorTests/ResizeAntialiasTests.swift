import Executor
import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// `Resize` with `antialias`: the downsampling filter widened by 1/scale, checked against weights
/// worked out by hand and against the ONNX suite's expected outputs.
final class ResizeAntialiasTests: XCTestCase {
    private func resize(_ x: Tensor, scales: [Float], mode: String) throws -> [Float] {
        let node = Node(opType: "Resize", inputs: ["x", "", "scales"], outputs: ["y"],
                        attributes: [Attribute(name: "mode", value: .string(Array(mode.utf8))), GraphBuilder.int("antialias", 1)])
        let model = GraphBuilder.model([node], inputs: [GraphBuilder.value("x", .float, x.shape)], outputs: [GraphBuilder.value("y")],
                                       initializers: [GraphBuilder.tensor("scales", [scales.count], scales)], opset: 19)
        return try runFloats(model, ["x": x]).values
    }

    func testLinearHalvingAveragesFourTapsWithTriangleWeights() throws {
        // half_pixel: output o reads coordinate 2o + 0.5; at scale ½ the triangle spans 2 input
        // pixels each side, giving taps 2o−1 … 2o+2 with weights 1/8, 3/8, 3/8, 1/8 (edges clamped).
        let x = GraphBuilder.tensor([1, 8], [0, 1, 2, 3, 4, 5, 6, 7])
        let y = try resize(x, scales: [1, 0.5], mode: "linear")
        assertClose(y, [0.625, 2.5, 4.5, 6.375], rtol: 1e-6, atol: 1e-6)
    }

    func testUpsamplingIsUnchangedByAntialias() throws {
        let x = GraphBuilder.tensor([1, 3], [1, 4, 2])
        let plain = Node(opType: "Resize", inputs: ["x", "", "scales"], outputs: ["y"],
                         attributes: [Attribute(name: "mode", value: .string(Array("linear".utf8)))])
        let model = GraphBuilder.model([plain], inputs: [GraphBuilder.value("x", .float, [1, 3])], outputs: [GraphBuilder.value("y")],
                                       initializers: [GraphBuilder.tensor("scales", [2], [1, 2])], opset: 19)
        let expected = try runFloats(model, ["x": x]).values
        assertClose(try resize(x, scales: [1, 2], mode: "linear"), expected, rtol: 1e-6, atol: 1e-7)
        XCTAssertEqual(expected.count, 6)
    }

    func testSuiteAntialiasCasesMatchExpectedOutputs() throws {
        for name in ["test_resize_downsample_scales_cubic_antialias", "test_resize_downsample_scales_linear_antialias",
                     "test_resize_downsample_sizes_cubic_antialias", "test_resize_downsample_sizes_linear_antialias"] {
            let suiteCase = try SuiteCase("node/\(name)")
            let actual = try XCTUnwrap(Evaluator(model: suiteCase.model).run(tensors: suiteCase.feeds).outputs.first?.value.tensor)
            let expected = try XCTUnwrap(suiteCase.expected.first)
            XCTAssertEqual(actual.shape, expected.shape, name)
            assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-5, atol: 1e-6, name)
        }
    }
}
