import Executor
import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// Softmax on float16 and bfloat16: every step of its function body rounded to the input type,
/// checked against that body run node by node and against the ONNX suite's expanded Attention cases.
final class SoftmaxHalfPrecisionTests: XCTestCase {
    private func halfTensor(_ type: DataType, _ shape: [Int], _ values: [Double]) throws -> Tensor {
        try Tensor(converting: values, to: type, shape: shape)
    }

    /// Softmax over the last axis of a [2, 7] input, as one node and as its opset-13 function body.
    private func assertSoftmaxMatchesFunctionBody(_ type: DataType, file: StaticString = #filePath, line: UInt = #line) throws {
        let shape = [2, 7]
        let x = try halfTensor(type, shape, (0..<14).map { 3 * sin(Double($0) * 2.3) + 0.37 * Double($0) })
        let single = GraphBuilder.model([Node(opType: "Softmax", inputs: ["x"], outputs: ["y"])],
                                        inputs: [GraphBuilder.value("x", type, shape)], outputs: [GraphBuilder.value("y", type, shape)])
        let keep = GraphBuilder.int("keepdims", 1)
        let body = GraphBuilder.model([
            Node(opType: "ReduceMax", inputs: ["x", "axes"], outputs: ["max"], attributes: [keep]),
            Node(opType: "Sub", inputs: ["x", "max"], outputs: ["shifted"]),
            Node(opType: "Exp", inputs: ["shifted"], outputs: ["e"]),
            Node(opType: "ReduceSum", inputs: ["e", "axes"], outputs: ["sum"], attributes: [keep]),
            Node(opType: "Div", inputs: ["e", "sum"], outputs: ["y"]),
        ], inputs: [GraphBuilder.value("x", type, shape)], outputs: [GraphBuilder.value("y", type, shape)],
           initializers: [GraphBuilder.int64s("axes", [-1])])
        let fused = try XCTUnwrap(Evaluator(model: single).run(tensors: ["x": x])["y"]?.tensor, file: file, line: line)
        let expanded = try XCTUnwrap(Evaluator(model: body).run(tensors: ["x": x])["y"]?.tensor, file: file, line: line)
        XCTAssertEqual(fused.dataType, type, file: file, line: line)
        XCTAssertEqual(try fused.doubleValues(), try expanded.doubleValues(), "\(type) softmax vs its function body", file: file, line: line)
        let rows = try fused.doubleValues()
        for row in 0..<2 {
            XCTAssertEqual(rows[(row * 7)..<(row * 7 + 7)].reduce(0, +), 1, accuracy: type == .float16 ? 4e-3 : 3e-2, file: file, line: line)
        }
    }

    func testFloat16SoftmaxMatchesItsFunctionBody() throws {
        try assertSoftmaxMatchesFunctionBody(.float16)
    }

    func testBFloat16SoftmaxMatchesItsFunctionBody() throws {
        try assertSoftmaxMatchesFunctionBody(.bfloat16)
    }

    func testSuiteExpandedHalfPrecisionAttentionMatchesExpectedOutputs() throws {
        for name in ["test_attention_4d_causal_fp16_expanded", "test_attention_4d_attn_mask_causal_bf16_expanded"] {
            let suiteCase = try SuiteCase("node/\(name)")
            let actual = try XCTUnwrap(Evaluator(model: suiteCase.model).run(tensors: suiteCase.feeds).outputs.first?.value.tensor)
            let expected = try XCTUnwrap(suiteCase.expected.first)
            XCTAssertEqual(actual.dataType, expected.dataType, name)
            XCTAssertEqual(actual.shape, expected.shape, name)
            assertClose(try actual.doubleValues(), try expected.doubleValues(), rtol: 1e-3, atol: 1e-7, name)
        }
    }
}
