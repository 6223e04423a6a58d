import ModelIR
import Passes
import TestSupport
import XCTest

/// `CastCancellation` on the cast chains exporters write.
final class CastCancellationTests: XCTestCase {
    private func run(_ model: Model) throws -> Model {
        var optimized = model
        _ = try CastCancellation().run(on: &optimized, context: PassContext())
        return optimized
    }

    /// Softmax → Cast(float) → Cast(float) → MatMul, as Hugging Face attention exports it: both
    /// casts go and the MatMul reads the Softmax directly.
    func testChainOfNoOpCastsIsRemovedWithoutDanglingInputs() throws {
        var b = ModelBuilder()
        b.input("x", [2, 3])
        b.weight("w", [3, 4])
        b.node("Softmax", ["x"], ["s"], ["axis": .int(-1)])
        b.node("Cast", ["s"], ["c1"], ["to": .int(Int64(DataType.float.rawValue))])
        b.node("Cast", ["c1"], ["c2"], ["to": .int(Int64(DataType.float.rawValue))])
        b.node("MatMul", ["c2", "w"], ["y"])
        b.output("y")
        let model = b.model
        let optimized = try run(model)
        assertValid(optimized)
        XCTAssertEqual(optimized.graph.nodes.map(\.opType), ["Softmax", "MatMul"])
        XCTAssertEqual(optimized.graph.nodes.last?.inputs, ["s", "w"])
        let x = floats(&b, "x", [2, 3])
        XCTAssertEqual(try evaluate(optimized, ["x": x]), try evaluate(model, ["x": x]))
    }

    /// A no-op cast removed before a widening pair: the rewired cast reads the value the removed
    /// cast passed on, and the cast after it is found by its output, not by a stale position.
    func testRewireAfterARemovedCastReadsTheSurvivingValue() throws {
        var b = ModelBuilder()
        b.input("x", [4])
        b.node("Cast", ["x"], ["same"], ["to": .int(Int64(DataType.float.rawValue))])
        b.node("Cast", ["same"], ["wide"], ["to": .int(Int64(DataType.double.rawValue))])
        b.node("Cast", ["wide"], ["y"], ["to": .int(Int64(DataType.float16.rawValue))])
        b.output("y", .float16)
        let model = b.model
        let optimized = try run(model)
        assertValid(optimized)
        XCTAssertEqual(optimized.graph.nodes.map(\.opType), ["Cast", "Cast"], "the widening cast is left for dead-code elimination")
        let last = try XCTUnwrap(optimized.graph.nodes.first { $0.outputs == ["y"] })
        XCTAssertEqual(last.inputs, ["x"])
        let x = try Tensor(name: "x", shape: [4], scalars: [Float](arrayLiteral: 0.5, -1.25, 3, 65504))
        XCTAssertEqual(try evaluate(optimized, ["x": x]), try evaluate(model, ["x": x]))
    }
}
