import Executor
import ModelIR
import TestSupport
import XCTest

final class BroadcastingTests: XCTestCase {
    func testMultidirectionalShapes() throws {
        XCTAssertEqual(try Broadcast.shape([2, 3], [3]), [2, 3])
        XCTAssertEqual(try Broadcast.shape([2, 1], [1, 3]), [2, 3])
        XCTAssertEqual(try Broadcast.shape([], [4, 1, 5]), [4, 1, 5])
        XCTAssertEqual(try Broadcast.shape([[8, 1, 6, 1], [7, 1, 5]]), [8, 7, 6, 5])
        XCTAssertThrowsError(try Broadcast.shape([2, 3], [4]))
    }

    func testUnidirectional() {
        XCTAssertTrue(Broadcast.isUnidirectional([3], to: [2, 3]))
        XCTAssertTrue(Broadcast.isUnidirectional([1, 3], to: [2, 3]))
        XCTAssertFalse(Broadcast.isUnidirectional([2, 3], to: [3]))
        XCTAssertFalse(Broadcast.isUnidirectional([2], to: [2, 3]))
    }

    func testSourceIndices() throws {
        XCTAssertEqual(try Broadcast.sourceIndices(of: [2, 1], in: [2, 3]), [0, 0, 0, 1, 1, 1])
        XCTAssertEqual(try Broadcast.sourceIndices(of: [3], in: [2, 3]), [0, 1, 2, 0, 1, 2])
    }

    private func add(_ a: Tensor, _ b: Tensor, op: String = "Add") throws -> (shape: [Int], values: [Float]) {
        let model = GraphBuilder.model([Node(opType: op, inputs: ["A", "B"], outputs: ["C"])],
                                       inputs: [GraphBuilder.value("A"), GraphBuilder.value("B")], outputs: [GraphBuilder.value("C")])
        return try runFloats(model, ["A": a, "B": b])
    }

    /// Opsets before 7: with `broadcast` = 1, B is aligned with A at `axis` (A [2, 3, 2], B [3] on
    /// axis 1 adds B[j] along the middle axis), for Add, Sub, Mul and Div alike.
    func testLegacyBroadcastAlignsBAtAxis() throws {
        let a = GraphBuilder.tensor([2, 3, 2], (1...12).map(Float.init))
        let b = GraphBuilder.tensor([3], [10, 20, 40])
        let expected: [String: (Float, Float) -> Float] = ["Add": { $0 + $1 }, "Sub": { $0 - $1 }, "Mul": { $0 * $1 }, "Div": { $0 / $1 }]
        for (op, apply) in expected {
            let node = Node(opType: op, inputs: ["A", "B"], outputs: ["C"],
                            attributes: [GraphBuilder.int("broadcast", 1), GraphBuilder.int("axis", 1)])
            let model = GraphBuilder.model([node], inputs: [GraphBuilder.value("A"), GraphBuilder.value("B")],
                                           outputs: [GraphBuilder.value("C")], opset: 6)
            let (shape, values) = try runFloats(model, ["A": a, "B": b])
            XCTAssertEqual(shape, [2, 3, 2], op)
            let wanted = (0..<12).map { i in apply(Float(i + 1), [10, 20, 40][(i / 2) % 3]) }
            assertClose(values, wanted, op)
        }
    }

    func testAddRowToMatrix() throws {
        let (shape, values) = try add(GraphBuilder.tensor([2, 3], [1, 2, 3, 4, 5, 6]), GraphBuilder.tensor([3], [10, 20, 30]))
        XCTAssertEqual(shape, [2, 3])
        assertClose(values, [11, 22, 33, 14, 25, 36])
    }

    func testColumnTimesRowIsOuterProduct() throws {
        let (shape, values) = try add(GraphBuilder.tensor([2, 1], [1, 2]), GraphBuilder.tensor([1, 3], [1, 10, 100]), op: "Mul")
        XCTAssertEqual(shape, [2, 3])
        assertClose(values, [1, 10, 100, 2, 20, 200])
    }

    func testScalarAndChannelBias() throws {
        let (_, scalar) = try add(GraphBuilder.tensor([2, 2], [1, 2, 3, 4]), GraphBuilder.tensor([], [0.5]), op: "Sub")
        assertClose(scalar, [0.5, 1.5, 2.5, 3.5])
        let x = GraphBuilder.tensor([1, 2, 2, 2], [1, 1, 1, 1, 2, 2, 2, 2])
        let (shape, biased) = try add(x, GraphBuilder.tensor([2, 1, 1], [10, 20]))
        XCTAssertEqual(shape, [1, 2, 2, 2])
        assertClose(biased, [11, 11, 11, 11, 22, 22, 22, 22])
    }

    func testIncompatibleShapesNameTheNode() throws {
        let model = GraphBuilder.model([Node(name: "sum", opType: "Add", inputs: ["A", "B"], outputs: ["C"])],
                                       inputs: [GraphBuilder.value("A"), GraphBuilder.value("B")], outputs: [GraphBuilder.value("C")])
        XCTAssertThrowsError(try Evaluator(model: model).run(tensors: ["A": GraphBuilder.tensor([2, 3], [1, 2, 3, 4, 5, 6]),
                                                                        "B": GraphBuilder.tensor([2], [1, 2])])) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("node 'sum'"), message)
            XCTAssertTrue(message.contains("A: float[2, 3]"), message)
            XCTAssertTrue(message.contains("do not broadcast"), message)
        }
    }

    func testFloat16IsComputedInFloatAndRoundedBack() throws {
        let a = try Tensor(converting: [1, 2049], to: .float16, shape: [2])
        let b = try Tensor(converting: [0.0004, 1], to: .float16, shape: [2])
        let model = GraphBuilder.model([Node(opType: "Add", inputs: ["A", "B"], outputs: ["C"])],
                                       inputs: [GraphBuilder.value("A", .float16), GraphBuilder.value("B", .float16)],
                                       outputs: [GraphBuilder.value("C", .float16)])
        let c = try XCTUnwrap(Evaluator(model: model).run(tensors: ["A": a, "B": b])["C"]?.tensor)
        XCTAssertEqual(c.dataType, .float16)
        // 1 + 0.0004 rounds to 1 in float16; 2048 + 1 (2049 is not representable) rounds to even, 2048.
        XCTAssertEqual(try c.floatValues(), [1, 2048])
    }
}
