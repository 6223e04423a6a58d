@testable import Executor
import Foundation
import ModelIR
import TestSupport
import XCTest

/// The fast Add/Sum/Sub/Mul/Div and Transpose kernels against the reference ones on random shapes (a run
/// that captures intermediates takes the reference plan).
final class FastElementwiseDifferentialTests: XCTestCase {
    private var state: UInt64 = 7
    private func next() -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int(state >> 33)
    }
    private func floats(_ count: Int) -> [Float] { (0..<count).map { _ in Float(next() % 2001) / 1000 - 1 } }

    private func compare(_ model: Model, _ feeds: [String: Tensor], _ context: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let evaluator = try Evaluator(model: model)
        let name = model.graph.outputs[0].name
        let expected = try XCTUnwrap(evaluator.run(tensors: feeds, captureIntermediates: true)[name]?.tensor, file: file, line: line)
        let actual = try XCTUnwrap(evaluator.run(tensors: feeds)[name]?.tensor, file: file, line: line)
        XCTAssertEqual(actual.shape, expected.shape, context, file: file, line: line)
        assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-5, atol: 1e-6, context, file: file, line: line)
    }

    func testBinaryOperatorsMatchTheReference() throws {
        let operators = ["Add", "Sum", "Mul", "Sub", "Div"]
        for index in 0..<(operators.count * 10 * 4) {
            let op = operators[index % operators.count]
            let a = [1 + next() % 2, 1 + next() % 4, 1 + next() % 5, 1 + next() % 5]
            var b: [Int]
            switch index / operators.count % 10 {
            case 0: b = a
            case 1: b = [a[1], 1, 1]
            case 2: b = [1, a[1], 1, 1]
            case 3: b = [a[3]]
            case 4: b = [a[2], 1]
            case 5: b = [a[2], a[3]]
            case 6: b = []
            case 7: b = [1, 1, 1, 1, a[3]]
            case 8: b = [1, 1, a[2], a[3]]
            default: b = Array(a.dropFirst())
            }
            let swapped = index / (operators.count * 10) % 2 == 1
            let (first, second) = swapped ? (b, a) : (a, b)
            let model = GraphBuilder.model([Node(name: "op", opType: op, inputs: ["A", "B"], outputs: ["Y"])],
                                           inputs: [GraphBuilder.value("A"), GraphBuilder.value("B")],
                                           outputs: [GraphBuilder.value("Y")], opset: 13)
            let divisor = { (values: [Float]) in op == "Div" ? values.map { $0 < 0 ? $0 - 0.5 : $0 + 0.5 } : values }
            try compare(model, ["A": GraphBuilder.tensor(first, floats(first.reduce(1, *))),
                                "B": GraphBuilder.tensor(second, divisor(floats(second.reduce(1, *))))],
                        "\(op) \(first) \(second)")
        }
    }

    /// Opsets 1–6 align a broadcast B at `axis`, not at the trailing axes: the fast kernel must not
    /// read it as a trailing operand.
    func testLegacyBroadcastAtAnAxisKeepsItsMeaning() throws {
        let node = Node(name: "add", opType: "Add", inputs: ["A", "B"], outputs: ["Y"],
                        attributes: [GraphBuilder.int("broadcast", 1), GraphBuilder.int("axis", 0)])
        let model = GraphBuilder.model([node], inputs: [GraphBuilder.value("A"), GraphBuilder.value("B")],
                                       outputs: [GraphBuilder.value("Y")], opset: 6)
        let y = try Evaluator(model: model).run(tensors: ["A": GraphBuilder.tensor([2, 2], [1, 2, 3, 4]), "B": GraphBuilder.tensor([2], [10, 20])])
        XCTAssertEqual(try y["Y"]?.tensor?.floatValues(), [11, 12, 23, 24])
    }

    func testTransposeMatchesTheReference() throws {
        for _ in 0..<60 {
            let rank = 1 + next() % 5
            let shape = (0..<rank).map { _ in 1 + next() % 4 }
            var permutation = Array(0..<rank)
            for i in stride(from: rank - 1, to: 0, by: -1) { permutation.swapAt(i, next() % (i + 1)) }
            let model = GraphBuilder.model([Node(name: "t", opType: "Transpose", inputs: ["X"], outputs: ["Y"],
                                                 attributes: [GraphBuilder.ints("perm", permutation.map(Int64.init))])],
                                           inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], opset: 13)
            try compare(model, ["X": GraphBuilder.tensor(shape, floats(shape.reduce(1, *)))], "\(shape) perm \(permutation)")
        }
    }

    func testBatchNormalizationAndReluMatchTheReference() throws {
        for _ in 0..<30 {
            let shape = [1 + next() % 2, 1 + next() % 5, 1 + next() % 4, 1 + next() % 4]
            let channels = shape[1]
            let nodes = [Node(name: "bn", opType: "BatchNormalization", inputs: ["X", "s", "t", "m", "v"], outputs: ["N"]),
                         Node(name: "relu", opType: "Relu", inputs: ["N"], outputs: ["Y"])]
            let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], initializers: [
                GraphBuilder.tensor("s", [channels], floats(channels)), GraphBuilder.tensor("t", [channels], floats(channels)),
                GraphBuilder.tensor("m", [channels], floats(channels)), GraphBuilder.tensor("v", [channels], floats(channels).map { abs($0) + 0.1 }),
            ], opset: 15)
            try compare(model, ["X": GraphBuilder.tensor(shape, floats(shape.reduce(1, *)))], "\(shape)")
        }
    }

    func testSingleRowGemmMatchesTheReference() throws {
        for index in 0..<40 {
            let k = 1 + next() % 20, n = 1 + next() % 20
            let transA = index % 2 == 1, transB = index / 2 % 2 == 1
            let cShape: [Int]? = [nil, [n], [1, n], [1]][index / 4 % 4]
            var attributes = [GraphBuilder.int("transA", transA ? 1 : 0), GraphBuilder.int("transB", transB ? 1 : 0)]
            if index % 5 == 0 { attributes += [GraphBuilder.float("alpha", 0.5), GraphBuilder.float("beta", 2)] }
            var initializers = [GraphBuilder.tensor("B", transB ? [n, k] : [k, n], floats(n * k))]
            var names = ["A", "B"]
            if let cShape {
                initializers.append(GraphBuilder.tensor("C", cShape, floats(cShape.reduce(1, *))))
                names.append("C")
            }
            let model = GraphBuilder.model([Node(name: "gemm", opType: "Gemm", inputs: names, outputs: ["Y"], attributes: attributes)],
                                           inputs: [GraphBuilder.value("A")], outputs: [GraphBuilder.value("Y")],
                                           initializers: initializers, opset: 13)
            try compare(model, ["A": GraphBuilder.tensor(transA ? [k, 1] : [1, k], floats(k))], "k \(k) n \(n) transA \(transA) transB \(transB) C \(String(describing: cShape))")
        }
    }
}

/// `FastSoftmax` (float, vectorized exponentials) against the reference kernel (double) on the
/// last axis from opset 13 and the coerced rows of opset 11, with −∞ entries (masked attention),
/// an all −∞ row and a NaN row, at one and two threads; an inner axis falls back to the reference.
final class FastSoftmaxDifferentialTests: XCTestCase {
    override func tearDown() {
        ExecutorThreads.set(1)
        super.tearDown()
    }

    func testSoftmaxMatchesTheReference() throws {
        var random = SeededGenerator(state: 0x50f7)
        for (shape, axis, opset) in [([3, 5, 49], -1, 13), ([2, 3, 197], 2, 13), ([4, 7], 1, 13), ([2, 3, 4, 9], 2, 11),
                                     ([1, 1000], -1, 13), ([6], 0, 13), ([2, 3, 5], 1, 13)] as [([Int], Int, Int64)] {
            for threads in [1, 2] {
                ExecutorThreads.set(threads)
                var values = random.floats(shape.reduce(1, *)).map { $0 * 20 }
                let length = shape.last!
                if values.count >= 3 * length {
                    for i in 0..<length { values[i] = i % 3 == 0 ? -.infinity : values[i] }
                    for i in length..<(2 * length) { values[i] = -.infinity }
                    values[2 * length + 1] = .nan
                }
                let node = Node(name: "softmax", opType: "Softmax", inputs: ["X"], outputs: ["Y"], attributes: [GraphBuilder.int("axis", Int64(axis))])
                let model = GraphBuilder.model([node], inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], opset: opset)
                let evaluator = try Evaluator(model: model)
                let usesFastKernel = evaluator.fastGraph?.steps.contains { $0.kernel is FastSoftmax } ?? false
                XCTAssertTrue(usesFastKernel, "\(shape) axis \(axis) opset \(opset)")
                let x = GraphBuilder.tensor(shape, values)
                let expected = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor?.floatValues())
                let actual = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor?.floatValues())
                XCTAssertEqual(actual.count, expected.count)
                for (index, (a, e)) in zip(actual, expected).enumerated() {
                    if e.isNaN {
                        XCTAssertTrue(a.isNaN, "\(shape) axis \(axis) opset \(opset) at \(index): \(a), reference NaN")
                    } else {
                        XCTAssertEqual(a, e, accuracy: 1e-5 * e + 1e-30, "\(shape) axis \(axis) opset \(opset) at \(index)")
                    }
                }
            }
        }
    }
}

/// `FastUnary`'s Erf (vectorized) against float64 erf over the whole float range that matters (|x| ≤ 6,
/// both branches of the approximation and its clamp), with NaN and ±∞.
final class FastErfAccuracyTests: XCTestCase {
    func testErfIsWithinTwoUlpOfFloat64() throws {
        var values: [Float] = stride(from: Float(-6), through: 6, by: 0.00037).map { $0 }
        values += [0, -0, 0.921875, -0.921875, 0.9219, 3.925, 3.93, 1e-30, -1e-20, .infinity, -.infinity, .nan]
        let model = GraphBuilder.model([Node(name: "erf", opType: "Erf", inputs: ["X"], outputs: ["Y"])],
                                       inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], opset: 13)
        let evaluator = try Evaluator(model: model)
        XCTAssertTrue(evaluator.fastGraph?.steps.contains { ($0.kernel as? FastUnary)?.function == .erf } ?? false)
        let y = try XCTUnwrap(evaluator.run(tensors: ["X": GraphBuilder.tensor([values.count], values)])["Y"]?.tensor?.floatValues())
        var worst: Float = 0
        for (x, actual) in zip(values, y) {
            let exact = Float(Foundation.erf(Double(x)))
            if x.isNaN {
                XCTAssertTrue(actual.isNaN)
                continue
            }
            let ulps = abs(actual - exact) / max(exact.magnitude.ulp, Float.leastNormalMagnitude)
            worst = max(worst, ulps)
            XCTAssertLessThanOrEqual(ulps, 2, "erf(\(x)) = \(actual), float64 \(exact)")
        }
        XCTAssertLessThanOrEqual(worst, 2)
    }
}

/// `FastLayerNormalization` against the reference kernel (double) on rows with and without bias,
/// partial vectors, several trailing axes, values far from zero (a large mean with a small
/// spread) and at two threads; a broadcast scale falls back to the reference kernel.
final class FastLayerNormalizationDifferentialTests: XCTestCase {
    override func tearDown() {
        ExecutorThreads.set(1)
        super.tearDown()
    }

    func testLayerNormalizationMatchesTheReference() throws {
        var random = SeededGenerator(state: 0x1a7e)
        let cases: [(shape: [Int], axis: Int, scaleShape: [Int], bias: Bool, offset: Float)] = [
            ([2, 5, 768], -1, [768], true, 0), ([3, 17, 7], -1, [7], false, 0), ([2, 3, 4, 5], 2, [4, 5], true, 0),
            ([4, 33], 1, [33], true, 1000), ([2, 3, 4, 5], 2, [5], true, 0), ([1, 49, 96], 2, [96], true, -3),
        ]
        for c in cases {
            for threads in [1, 2] {
                ExecutorThreads.set(threads)
                let length = c.shape[(c.axis < 0 ? c.axis + c.shape.count : c.axis)...].reduce(1, *)
                var initializers = [GraphBuilder.tensor("scale", c.scaleShape, random.floats(c.scaleShape.reduce(1, *)))]
                var inputs = ["X", "scale"]
                if c.bias {
                    initializers.append(GraphBuilder.tensor("bias", c.scaleShape, random.floats(c.scaleShape.reduce(1, *))))
                    inputs.append("bias")
                }
                let node = Node(name: "ln", opType: "LayerNormalization", inputs: inputs, outputs: ["Y"],
                                attributes: [GraphBuilder.int("axis", Int64(c.axis))])
                let model = GraphBuilder.model([node], inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                               initializers: initializers, opset: 17)
                let evaluator = try Evaluator(model: model)
                XCTAssertTrue(evaluator.fastGraph?.steps.contains { $0.kernel is FastLayerNormalization } ?? false)
                let x = GraphBuilder.tensor(c.shape, random.floats(c.shape.reduce(1, *)).map { $0 * 0.01 * Float(length % 7 + 1) + c.offset })
                let expected = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor?.floatValues())
                let actual = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor?.floatValues())
                assertClose(actual, expected, rtol: 2e-5, atol: 2e-5, "\(c.shape) axis \(c.axis) scale \(c.scaleShape), \(threads) threads")
            }
        }
    }
}

/// `FastUnary`'s Sigmoid (vectorized) against float64 over [−87, 87] within 2 ulp, beyond it within
/// 1.2e−38 of zero and one, with NaN and ±∞.
final class FastSigmoidAccuracyTests: XCTestCase {
    func testSigmoidIsWithinTwoUlpOfFloat64() throws {
        var values: [Float] = stride(from: Float(-87), through: 87, by: 0.0061).map { $0 }
        values += [0, -0, 1e-30, -1e-30, -100, 100, -1000, .infinity, -.infinity, .nan]
        let model = GraphBuilder.model([Node(name: "sigmoid", opType: "Sigmoid", inputs: ["X"], outputs: ["Y"])],
                                       inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], opset: 13)
        let evaluator = try Evaluator(model: model)
        XCTAssertTrue(evaluator.fastGraph?.steps.contains { ($0.kernel as? FastUnary)?.function == .sigmoid } ?? false)
        let y = try XCTUnwrap(evaluator.run(tensors: ["X": GraphBuilder.tensor([values.count], values)])["Y"]?.tensor?.floatValues())
        for (x, actual) in zip(values, y) {
            if x.isNaN {
                XCTAssertTrue(actual.isNaN)
                continue
            }
            let exact = Float(1 / (1 + Foundation.exp(-Double(x))))
            if abs(x) > 87 {
                XCTAssertLessThanOrEqual(abs(actual - exact), 1.2e-38, "sigmoid(\(x)) = \(actual), float64 \(exact)")
            } else {
                let ulps = abs(actual - exact) / max(exact.magnitude.ulp, Float.leastNormalMagnitude)
                XCTAssertLessThanOrEqual(ulps, 2, "sigmoid(\(x)) = \(actual), float64 \(exact)")
            }
        }
    }
}

/// The fast plan's SiLU: a Sigmoid whose only reader multiplies it by the Sigmoid's own input
/// becomes one step, in either operand order, with the fast plan's unfused value bit for bit and
/// the reference plan's within 2 ulp; a Sigmoid with a second reader is left alone.
final class SiLUFusionTests: XCTestCase {
    private func model(_ nodes: [Node], outputs: [String]) -> Model {
        GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: outputs.map { GraphBuilder.value($0) }, opset: 13)
    }

    func testSigmoidTimesItsInputIsOneStep() throws {
        var random = SeededGenerator(state: 0x5115)
        let x = GraphBuilder.tensor([2, 3, 5, 7], random.floats(210).map { $0 * 12 })
        for sigmoidFirst in [false, true] {
            let nodes = [Node(name: "s", opType: "Sigmoid", inputs: ["X"], outputs: ["S"]),
                         Node(name: "m", opType: "Mul", inputs: sigmoidFirst ? ["S", "X"] : ["X", "S"], outputs: ["Y"])]
            let evaluator = try Evaluator(model: model(nodes, outputs: ["Y"]))
            let steps = try XCTUnwrap(evaluator.fastGraph?.steps)
            XCTAssertEqual(steps.count, 1)
            XCTAssertEqual((steps.first?.kernel as? FastUnary)?.function, .silu)
            let fused = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor?.floatValues())
            let reference = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor?.floatValues())
            let values = try x.floatValues()
            for (index, (a, e)) in zip(fused, reference).enumerated() {
                XCTAssertLessThanOrEqual(abs(a - e), 2 * max(e.magnitude.ulp, Float.leastNormalMagnitude), "x = \(values[index])")
            }
            let separate = try Evaluator(model: model(nodes + [Node(name: "keep", opType: "Identity", inputs: ["S"], outputs: ["K"])],
                                                      outputs: ["Y", "K"]))
            XCTAssertFalse(separate.fastGraph?.steps.contains { ($0.kernel as? FastUnary)?.function == .silu } ?? true)
            XCTAssertEqual(try separate.run(tensors: ["X": x])["Y"]?.tensor?.floatValues(), fused)
        }
    }
}
