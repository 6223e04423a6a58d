import Executor
import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// `Gradient` (ai.onnx.preview.training): gradients compared with central finite differences of
/// the same graph computed here in double precision, and with the ONNX suite's expected outputs.
final class GradientTests: XCTestCase {
    private static let training = OpsetImport(domain: "ai.onnx.preview.training", version: 1)

    /// A model computing `y` with `nodes`, whose outputs are `y` then d(Σy)/dx for each x.
    private func gradientModel(_ nodes: [Node], inputs: [String: [Int]], xs: [String], zs: [String] = [], y: String,
                               initializers: [Tensor] = [], type: DataType = .double, opset: Int64 = 21) -> Model {
        let gradient = Node(name: "grad", opType: "Gradient", domain: "ai.onnx.preview.training",
                            inputs: xs + zs, outputs: xs.map { "d_\($0)" },
                            attributes: [Attribute(name: "xs", value: .strings(xs.map { Array($0.utf8) })),
                                         Attribute(name: "y", value: .string(Array(y.utf8)))]
                                + (zs.isEmpty ? [] : [Attribute(name: "zs", value: .strings(zs.map { Array($0.utf8) }))]))
        return GraphBuilder.model(nodes + [gradient],
                                  inputs: inputs.keys.sorted().map { GraphBuilder.value($0, type, inputs[$0]) },
                                  outputs: [ValueInfo(name: y)] + xs.map { ValueInfo(name: "d_\($0)") },
                                  initializers: initializers, opset: opset, extraOpsets: [Self.training])
    }

    /// Deterministic, well-spread values, shifted by `offset`.
    private func values(_ count: Int, offset: Double = 0, scale: Double = 1) -> [Double] {
        (0..<count).map { scale * sin(Double($0) * 1.7 + offset) + offset * 0.1 }
    }

    private func doubles(_ shape: [Int], _ values: [Double]) throws -> Tensor { try Tensor(shape: shape, scalars: values) }

    /// Checks every gradient output against (Σy(x + h·eᵢ) − Σy(x − h·eᵢ)) / 2h for every element i.
    private func assertGradientsMatchFiniteDifferences(_ model: Model, feeds: [String: Tensor], xs: [String], y: String,
                                                       rtol: Double = 1e-6, atol: Double = 1e-8,
                                                       file: StaticString = #filePath, line: UInt = #line) throws {
        let evaluator = try Evaluator(model: model)
        let result = try evaluator.run(tensors: feeds)
        func sumOfY(_ feeds: [String: Tensor]) throws -> Double {
            try XCTUnwrap(evaluator.run(tensors: feeds)[y]?.tensor).doubleValues().reduce(0, +)
        }
        let h = 1e-6
        for x in xs {
            let value = try XCTUnwrap(feeds[x])
            let gradient = try XCTUnwrap(result["d_\(x)"]?.tensor, file: file, line: line)
            XCTAssertEqual(gradient.shape, value.shape, "gradient of \(x)", file: file, line: line)
            XCTAssertEqual(gradient.dataType, value.dataType, "gradient of \(x)", file: file, line: line)
            let base = try value.doubleValues()
            var expected: [Double] = []
            for index in base.indices {
                var plus = base, minus = base
                plus[index] += h
                minus[index] -= h
                var up = feeds, down = feeds
                up[x] = try doubles(value.shape, plus)
                down[x] = try doubles(value.shape, minus)
                expected.append((try sumOfY(up) - sumOfY(down)) / (2 * h))
            }
            assertClose(try gradient.doubleValues(), expected, rtol: rtol, atol: atol, "d\(y)/d\(x)", file: file, line: line)
        }
    }

    func testMatMulBroadcastAddTanhReduceSum() throws {
        let nodes = [
            Node(opType: "MatMul", inputs: ["X", "W"], outputs: ["xw"]),
            Node(opType: "Add", inputs: ["xw", "b"], outputs: ["z"]),
            Node(opType: "Tanh", inputs: ["z"], outputs: ["t"]),
            Node(opType: "ReduceSum", inputs: ["t", "axes"], outputs: ["y"], attributes: [GraphBuilder.int("keepdims", 0)]),
        ]
        let model = gradientModel(nodes, inputs: ["X": [2, 3], "W": [3, 4], "b": [4]], xs: ["X", "W", "b"], y: "y",
                                  initializers: [GraphBuilder.int64s("axes", [1])])
        let feeds = ["X": try doubles([2, 3], values(6, scale: 0.8)), "W": try doubles([3, 4], values(12, offset: 1, scale: 0.5)),
                     "b": try doubles([4], values(4, offset: 2, scale: 0.3))]
        try assertGradientsMatchFiniteDifferences(model, feeds: feeds, xs: ["X", "W", "b"], y: "y")
    }

    func testGemmTransposedWithBroadcastBiasSigmoidReluReduceMean() throws {
        let nodes = [
            Node(opType: "Gemm", inputs: ["A", "B", "C"], outputs: ["g"],
                 attributes: [GraphBuilder.int("transA", 1), GraphBuilder.int("transB", 1),
                              GraphBuilder.float("alpha", 0.75), GraphBuilder.float("beta", 1.25)]),
            Node(opType: "Sigmoid", inputs: ["g"], outputs: ["s"]),
            Node(opType: "Sub", inputs: ["s", "half"], outputs: ["shifted"]),
            Node(opType: "Relu", inputs: ["shifted"], outputs: ["r"]),
            Node(opType: "ReduceMean", inputs: ["r"], outputs: ["y"], attributes: [GraphBuilder.int("keepdims", 0)]),
        ]
        let half = try Tensor(name: "half", shape: [], scalars: [0.45])
        let model = gradientModel(nodes, inputs: ["A": [3, 2], "B": [4, 3], "C": [1, 4]], xs: ["A", "B", "C"], y: "y",
                                  initializers: [half])
        let feeds = ["A": try doubles([3, 2], values(6, scale: 0.9)), "B": try doubles([4, 3], values(12, offset: 0.5)),
                     "C": try doubles([1, 4], values(4, offset: 3, scale: 0.4))]
        try assertGradientsMatchFiniteDifferences(model, feeds: feeds, xs: ["A", "B", "C"], y: "y")
    }

    func testArithmeticAndElementwiseRules() throws {
        let nodes = [
            Node(opType: "Div", inputs: ["a", "b"], outputs: ["q"]),
            Node(opType: "Neg", inputs: ["b"], outputs: ["nb"]),
            Node(opType: "Sub", inputs: ["q", "nb"], outputs: ["d"]),
            Node(opType: "Abs", inputs: ["d"], outputs: ["ad"]),
            Node(opType: "Pow", inputs: ["ad", "b"], outputs: ["p"]),
            Node(opType: "Mul", inputs: ["a", "a"], outputs: ["aa"]),
            Node(opType: "Sum", inputs: ["p", "aa", "b"], outputs: ["total"]),
            Node(opType: "Log", inputs: ["total"], outputs: ["l"]),
            Node(opType: "Exp", inputs: ["l"], outputs: ["e"]),
            Node(opType: "Sqrt", inputs: ["e"], outputs: ["root"]),
            Node(opType: "Identity", inputs: ["root"], outputs: ["y"]),
        ]
        let model = gradientModel(nodes, inputs: ["a": [2, 3], "b": [3]], xs: ["a", "b"], y: "y")
        let feeds = ["a": try doubles([2, 3], [0.7, -1.3, 2.1, -0.4, 1.6, -2.2]), "b": try doubles([3], [0.8, 1.5, 2.3])]
        try assertGradientsMatchFiniteDifferences(model, feeds: feeds, xs: ["a", "b"], y: "y")
    }

    func testShapeMovingRulesAndReduceMeanOverAxes() throws {
        let nodes = [
            Node(opType: "Transpose", inputs: ["x"], outputs: ["t"], attributes: [GraphBuilder.ints("perm", [2, 0, 1])]),
            Node(opType: "Reshape", inputs: ["t", "shape"], outputs: ["r"]),
            Node(opType: "Flatten", inputs: ["r"], outputs: ["f"], attributes: [GraphBuilder.int("axis", 1)]),
            Node(opType: "Unsqueeze", inputs: ["f", "axes0"], outputs: ["u"]),
            Node(opType: "Squeeze", inputs: ["u", "axes0"], outputs: ["s"]),
            Node(opType: "ReduceMean", inputs: ["s", "axes0"], outputs: ["m"]),
            Node(opType: "Mul", inputs: ["m", "w"], outputs: ["y"]),
        ]
        let weights = try Tensor(name: "w", shape: [1, 6], scalars: values(6, offset: 0.3))
        let model = gradientModel(nodes, inputs: ["x": [2, 3, 4]], xs: ["x"], y: "y",
                                  initializers: [GraphBuilder.int64s("shape", [4, 6]), GraphBuilder.int64s("axes0", [0]), weights])
        let x = try doubles([2, 3, 4], values(24, offset: 0.2))
        try assertGradientsMatchFiniteDifferences(model, feeds: ["x": x], xs: ["x"], y: "y")

        // Σ(mean over rows of xᵀ-reshaped, times w): each x element gets w[column] / 4.
        let gradient = try XCTUnwrap(Evaluator(model: model).run(tensors: ["x": x])["d_x"]?.tensor).doubleValues()
        let w = try weights.doubleValues()
        let transposed = try Indexing.transposed([2, 3, 4], permutation: [2, 0, 1]).indices
        var expected = [Double](repeating: 0, count: 24)
        for (position, source) in transposed.enumerated() { expected[source] = w[position % 6] / 4 }
        assertClose(gradient, expected, rtol: 1e-12, atol: 1e-15)
    }

    func testBatchedMatMulWithBroadcastBatchAndVector() throws {
        let nodes = [
            Node(opType: "MatMul", inputs: ["A", "B"], outputs: ["ab"]),
            Node(opType: "MatMul", inputs: ["ab", "v"], outputs: ["y"]),
        ]
        let model = gradientModel(nodes, inputs: ["A": [2, 1, 3, 4], "B": [3, 4, 2], "v": [2]], xs: ["A", "B", "v"], y: "y")
        let feeds = ["A": try doubles([2, 1, 3, 4], values(24, scale: 0.7)), "B": try doubles([3, 4, 2], values(24, offset: 1.1)),
                     "v": try doubles([2], [0.6, -1.4])]
        try assertGradientsMatchFiniteDifferences(model, feeds: feeds, xs: ["A", "B", "v"], y: "y")
    }

    /// Concat of two inputs, LeakyRelu, then Softmax weighted so that the gradient is not zero
    /// (a plain softmax sums to one); at opset 11 Softmax works on the input coerced to 2-D.
    private func concatLeakyReluSoftmaxModel(opset: Int64) throws -> Model {
        let nodes = [
            Node(opType: "Concat", inputs: ["a", "b"], outputs: ["c"], attributes: [GraphBuilder.int("axis", 1)]),
            Node(opType: "LeakyRelu", inputs: ["c"], outputs: ["l"], attributes: [GraphBuilder.float("alpha", 0.2)]),
            Node(opType: "Softmax", inputs: ["l"], outputs: ["s"], attributes: [GraphBuilder.int("axis", 1)]),
            Node(opType: "Mul", inputs: ["s", "w"], outputs: ["y"]),
        ]
        let weights = try Tensor(name: "w", shape: [2, 5, 2], scalars: values(20, offset: 0.9, scale: 2))
        return gradientModel(nodes, inputs: ["a": [2, 2, 2], "b": [2, 3, 2]], xs: ["a", "b"], y: "y",
                             initializers: [weights], opset: opset)
    }

    func testConcatLeakyReluSoftmaxAlongAxis() throws {
        let feeds = ["a": try doubles([2, 2, 2], values(8, offset: 0.1, scale: 1.5)),
                     "b": try doubles([2, 3, 2], values(12, offset: 0.7, scale: 1.5))]
        try assertGradientsMatchFiniteDifferences(concatLeakyReluSoftmaxModel(opset: 21), feeds: feeds, xs: ["a", "b"], y: "y")
    }

    func testSoftmaxCoercedTo2DBeforeOpset13() throws {
        let feeds = ["a": try doubles([2, 2, 2], values(8, offset: 0.1, scale: 1.5)),
                     "b": try doubles([2, 3, 2], values(12, offset: 0.7, scale: 1.5))]
        let model = try concatLeakyReluSoftmaxModel(opset: 11)
        try assertGradientsMatchFiniteDifferences(model, feeds: feeds, xs: ["a", "b"], y: "y")
        let coerced = try XCTUnwrap(Evaluator(model: model).run(tensors: feeds)["d_a"]?.tensor).doubleValues()
        let alongAxis = try XCTUnwrap(Evaluator(model: concatLeakyReluSoftmaxModel(opset: 21)).run(tensors: feeds)["d_a"]?.tensor).doubleValues()
        XCTAssertNotEqual(coerced, alongAxis, "softmax over [5, 2] per batch differs from softmax over axis 1 alone")
    }

    func testFloatGradientsKeepTypeAndUnreachedXGetsZeros() throws {
        let nodes = [
            Node(opType: "Cast", inputs: ["a"], outputs: ["a64"], attributes: [GraphBuilder.int("to", Int64(DataType.double.rawValue))]),
            Node(opType: "Mul", inputs: ["a64", "z"], outputs: ["y"]),
            Node(opType: "Shape", inputs: ["u"], outputs: ["unused"]),
        ]
        var model = gradientModel(nodes, inputs: ["a": [3], "u": [2]], xs: ["a", "u"], zs: ["z"], y: "y", type: .float)
        model.graph.inputs.append(GraphBuilder.value("z", .double, [3]))
        let feeds = ["a": GraphBuilder.tensor([3], [1, 2, 3]), "u": GraphBuilder.tensor([2], [5, 6]),
                     "z": try doubles([3], [0.5, -2, 4])]
        let result = try Evaluator(model: model).run(tensors: feeds)
        let da = try XCTUnwrap(result["d_a"]?.tensor)
        XCTAssertEqual(da.dataType, .float)
        XCTAssertEqual(try da.floatValues(), [0.5, -2, 4])
        let du = try XCTUnwrap(result["d_u"]?.tensor)
        XCTAssertEqual(du.shape, [2])
        XCTAssertEqual(try du.floatValues(), [0, 0])
        XCTAssertEqual(try XCTUnwrap(result["y"]?.tensor).doubleValues(), [0.5, -4, 12])
    }

    func testSuiteGradientCasesMatchExpectedOutputs() throws {
        for name in ["test_gradient_of_add", "test_gradient_of_add_and_mul"] {
            let suiteCase = try SuiteCase("simple/\(name)", inputs: { $0.inputs })
            let result = try Evaluator(model: suiteCase.model).run(tensors: suiteCase.feeds)
            XCTAssertEqual(result.outputs.count, 3, name)
            for (index, output) in result.outputs.enumerated() {
                let expected = suiteCase.expected[index]
                let actual = try XCTUnwrap(output.value.tensor)
                XCTAssertEqual(actual.shape, expected.shape, "\(name) \(output.name)")
                assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-6, atol: 1e-7, "\(name) \(output.name)")
            }
        }
    }

    func testOperatorWithoutRuleIsNamed() throws {
        let nodes = [Node(name: "wave", opType: "Sin", inputs: ["x"], outputs: ["y"])]
        let model = gradientModel(nodes, inputs: ["x": [2]], xs: ["x"], y: "y")
        XCTAssertThrowsError(try Evaluator(model: model)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("node 'wave' (Sin)"), message)
            XCTAssertTrue(message.contains("no derivative rule for Sin"), message)
            XCTAssertTrue(message.contains("grad"), message)
        }
    }

    func testValueOutsideXsAndZsIsRefused() throws {
        let nodes = [Node(opType: "Mul", inputs: ["x", "other"], outputs: ["y"])]
        let model = gradientModel(nodes, inputs: ["x": [2], "other": [2]], xs: ["x"], y: "y")
        XCTAssertThrowsError(try Evaluator(model: model)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("depends on 'other'"), message)
            XCTAssertTrue(message.contains("list it in zs"), message)
        }
    }

    func testInputCountMustMatchXsAndZs() throws {
        var model = gradientModel([Node(opType: "Neg", inputs: ["x"], outputs: ["y"])], inputs: ["x": [2]], xs: ["x"], y: "y")
        model.graph.nodes[1].inputs = ["x", "x"]
        XCTAssertThrowsError(try Evaluator(model: model)) { error in
            XCTAssertTrue(String(describing: error).contains("2 inputs but xs and zs name 1"), String(describing: error))
        }
    }
}
