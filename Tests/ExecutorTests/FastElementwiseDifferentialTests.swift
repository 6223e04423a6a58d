import Executor
import ModelIR
import TestSupport
import XCTest

/// The fast Add/Sum/Mul and Transpose kernels against the reference ones on random shapes (a run
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
        for index in 0..<90 {
            let op = ["Add", "Sum", "Mul"][index % 3]
            let a = [1 + next() % 2, 1 + next() % 4, 1 + next() % 5, 1 + next() % 5]
            let b: [Int]
            switch index / 3 % 5 {
            case 0: b = a
            case 1: b = [a[1], 1, 1]
            case 2: b = [1, a[1], 1, 1]
            case 3: b = [a[3]]
            default: b = [a[2], 1]
            }
            let model = GraphBuilder.model([Node(name: "op", opType: op, inputs: ["A", "B"], outputs: ["Y"])],
                                           inputs: [GraphBuilder.value("A"), GraphBuilder.value("B")],
                                           outputs: [GraphBuilder.value("Y")], opset: 13)
            try compare(model, ["A": GraphBuilder.tensor(a, floats(a.reduce(1, *))), "B": GraphBuilder.tensor(b, floats(b.reduce(1, *)))],
                        "\(op) \(a) \(b)")
        }
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
