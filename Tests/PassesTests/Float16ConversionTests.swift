import Executor
import ModelIR
import Passes
import TestSupport
import XCTest

final class Float16ConversionTests: XCTestCase {
    /// Conv → Relu → Flatten → Gemm → Softmax, one float input and output.
    private func classifier() -> (ModelBuilder, Tensor) {
        var b = ModelBuilder()
        b.input("x", [2, 2, 5, 5])
        b.weight("w", [3, 2, 3, 3])
        b.weight("cb", [3])
        b.weight("fw", [27, 4])
        b.weight("fb", [4])
        b.node("Conv", ["x", "w", "cb"], ["c"])
        b.node("Relu", ["c"], ["r"])
        b.node("Flatten", ["r"], ["f"])
        b.node("Gemm", ["f", "fw", "fb"], ["g"])
        b.node("Softmax", ["g"], ["y"])
        b.output("y")
        return (b, floats(&b, "x", [2, 2, 5, 5]))
    }

    private func casts(_ model: Model) -> [(from: String, to: Int64)] {
        model.graph.nodes.filter { $0.opType == "Cast" }.map { ($0.inputs[0], $0.attribute("to")?.int ?? -1) }
    }

    func testComputeAndWeightsTurnHalfWithFloatEdges() throws {
        let (b, x) = classifier()
        let (half, _) = try optimize(b.model, path: "fp16")
        XCTAssertTrue(half.graph.initializers.allSatisfy { $0.dataType == .float16 })
        XCTAssertEqual(half.graph.inputs.first?.type?.type.tensorType?.elementType, .float)
        let edgeCasts = casts(half)
        XCTAssertEqual(edgeCasts.count, 2, "one Cast in, one Cast out")
        XCTAssertEqual(edgeCasts.filter { $0.from == "x" && $0.to == Int64(DataType.float16.rawValue) }.count, 1)
        XCTAssertEqual(half.graph.nodes.last?.outputs, ["y"])
        assertValid(half)
        let expected = try evaluate(b.model, ["x": x])
        let actual = try evaluate(half, ["x": x])
        assertClose(actual, expected, rtol: 1e-2, atol: 1e-3)
    }

    func testBlockedOperatorsStayFloatWithoutBackToBackCasts() throws {
        let (b, x) = classifier()
        let (half, _) = try optimize(b.model, path: "fp16", options: ["fp16_block_ops_add": "Softmax"])
        let softmax = try XCTUnwrap(half.graph.nodes.first { $0.opType == "Softmax" })
        let producer = try XCTUnwrap(half.graph.nodes.first { $0.outputs.contains(softmax.inputs[0]) })
        XCTAssertEqual(producer.opType, "Cast")
        XCTAssertEqual(producer.attribute("to")?.int, Int64(DataType.float.rawValue))
        XCTAssertEqual(softmax.outputs, ["y"], "a float32 output needs no cast")
        let producers = Dictionary(half.graph.nodes.flatMap { node in node.outputs.map { ($0, node) } }, uniquingKeysWith: { a, _ in a })
        for cast in half.graph.nodes where cast.opType == "Cast" {
            XCTAssertNotEqual(producers[cast.inputs[0]]?.opType, "Cast", "back-to-back casts at \(cast.label)")
        }
        assertClose(try evaluate(half, ["x": x]), try evaluate(b.model, ["x": x]), rtol: 1e-2, atol: 1e-3)
    }

    func testWeightsBeyondTheHalfRangeAreClampedWithAFinding() throws {
        var b = ModelBuilder()
        b.input("x", [1, 2])
        b.constant("big", [2], [1e6, -2])
        b.node("Mul", ["x", "big"], ["y"])
        b.output("y")
        let (half, findings) = try optimize(b.model, path: "fp16")
        let weight = try XCTUnwrap(half.graph.initializers.first)
        XCTAssertEqual(try weight.floatValues(), [65504, -2])
        XCTAssertTrue(findings.contains { $0.code == "fp16-clamped" && $0.message.contains("'big'") })
    }

    /// x / max(|x|, 1e-12), as `F.normalize` exports: an epsilon that rounds to zero in float16
    /// turns a zero row into 0 / 0. It is stored as float16's smallest value instead, while a
    /// weight whose tiny values sit beside larger ones rounds as usual.
    func testAnEpsilonStaysNonzero() throws {
        var b = ModelBuilder()
        b.input("x", [1, 3])
        b.constant("eps", [], [1e-12])
        b.constant("w", [3], [1e-9, 0.5, -2])
        b.node("Abs", ["x"], ["a"])
        b.node("Max", ["a", "eps"], ["m"])
        b.node("Div", ["x", "m"], ["d"])
        b.node("Mul", ["d", "w"], ["y"])
        b.output("y")
        let (half, findings) = try optimize(b.model, path: "fp16")
        let eps = try XCTUnwrap(half.graph.initializers.first { $0.shape == [] })
        XCTAssertEqual(eps.dataType, .float16)
        XCTAssertEqual(try eps.floatValues(), [0x1p-24])
        XCTAssertEqual(try XCTUnwrap(half.graph.initializers.first { $0.shape == [3] }).floatValues(), [0, 0.5, -2], "rounded as usual")
        XCTAssertTrue(findings.contains { $0.code == "fp16-raised" && $0.message.contains("'eps'") }, "\(findings)")
        XCTAssertFalse(findings.contains { $0.code == "fp16-raised" && $0.message.contains("'w'") })
        let x = try Tensor(name: "x", shape: [1, 3], scalars: [Float(0), 3, -4])
        let y = try XCTUnwrap(Evaluator(model: half).run(tensors: ["x": x]).outputs.first?.value.tensor).floatValues()
        XCTAssertEqual(y, [0, 0.5, 2], "0 / max(0, eps) is 0, not NaN")
    }

    func testGeneratedFloatConstantsTurnHalfWithoutCasts() throws {
        var b = ModelBuilder()
        b.input("x", [2, 3])
        b.initializers.append(try Tensor(name: "shape", shape: [2], scalars: [Int64(2), 3]))
        b.node("ConstantOfShape", ["shape"], ["k"], ["value": .tensor(try Tensor(shape: [1], scalars: [Float(0.5)]))])
        b.node("Mul", ["x", "k"], ["y"])
        b.output("y")
        let x = floats(&b, "x", [2, 3])
        let (half, _) = try optimize(b.model, path: "fp16")
        XCTAssertEqual(count("Cast", in: half), 2, "only the graph's edges")
        let constant = try XCTUnwrap(half.graph.nodes.first { $0.opType == "ConstantOfShape" })
        XCTAssertEqual(constant.attribute("value")?.tensor?.dataType, .float16)
        assertClose(try evaluate(half, ["x": x]), try evaluate(b.model, ["x": x]), rtol: 1e-2, atol: 1e-3)
    }

    func testAnInitializerReadInBothPrecisionsIsCopiedOnce() throws {
        var b = ModelBuilder()
        b.input("x", [3])
        b.constant("k", [3], [1, 2, 3])
        b.node("Add", ["x", "k"], ["a"])
        b.node("Pow", ["a", "k"], ["y"])
        b.output("y")
        let x = floats(&b, "x", [3])
        let (half, _) = try optimize(b.model, path: "fp16")
        XCTAssertEqual(Set(half.graph.initializers.map(\.dataType)), [.float, .float16])
        assertValid(half)
        assertClose(try evaluate(half, ["x": x]), try evaluate(b.model, ["x": x]), rtol: 1e-2, atol: 1e-3)
    }
    /// torchvision MViT's pooling: a slice taken out of a sequence (whose element type inference
    /// does not know) joined with a float16 tensor. The Concat's type constraint makes the
    /// sequence element float too, so it is cast to float16 with the other input.
    func testASequenceElementJoinedWithAConvertedTensorIsCastToHalf() throws {
        var b = ModelBuilder()
        b.input("x", [2, 4, 3])
        b.initializers.append(try Tensor(name: "first", shape: [], scalars: [Int64(0)]))
        b.node("SplitToSequence", ["x"], ["pieces"], ["axis": .int(1)])
        b.node("SequenceAt", ["pieces", "first"], ["head"])
        b.node("Relu", ["x"], ["r"])
        b.node("Concat", ["head", "r"], ["y"], ["axis": .int(1)])
        b.outputs.append(ValueInfo(name: "y", elementType: .float, shape: TensorShape(fixed: [2, 5, 3])))
        let x = floats(&b, "x", [2, 4, 3])
        let (half, _) = try optimize(b.model, path: "fp16")
        let concat = try XCTUnwrap(half.graph.nodes.first { $0.opType == "Concat" })
        let headCast = try XCTUnwrap(half.graph.nodes.first { $0.outputs.contains(concat.inputs[0]) })
        XCTAssertEqual(headCast.opType, "Cast")
        XCTAssertEqual(headCast.attribute("to")?.int, Int64(DataType.float16.rawValue))
        XCTAssertEqual(headCast.inputs, ["head"])
        let result = try evaluate(half, ["x": x])
        XCTAssertEqual(result.count, 2 * 5 * 3)
        assertClose(result, try evaluate(b.model, ["x": x]), rtol: 1e-2, atol: 1e-3)
    }
}
