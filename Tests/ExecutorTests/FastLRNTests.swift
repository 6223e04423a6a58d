import Executor
import ModelIR
import TestSupport
import XCTest

/// The fast float LRN (β = 0.75 through square roots, other β through exp/log, blocks of positions
/// over threads) against the reference kernel, which sums and divides in double precision.
final class FastLRNTests: XCTestCase {
    private var state: UInt64 = 5
    private func next() -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int(state >> 33)
    }

    func testFastLRNMatchesTheReference() throws {
        for threads in [1, 2] {
            ExecutorThreads.set(threads)
            defer { ExecutorThreads.set(1) }
            for index in 0..<24 {
                let shape = [1 + next() % 2, 1 + next() % 12, 1 + next() % 40, 1 + next() % 40]
                let size = [1, 2, 3, 5, 7][index % 5]
                let beta: Float = index % 3 == 0 ? 0.6 : 0.75
                let model = GraphBuilder.model([
                    Node(name: "lrn", opType: "LRN", inputs: ["X"], outputs: ["Y"],
                         attributes: [GraphBuilder.int("size", Int64(size)), GraphBuilder.float("alpha", 0.0005 * Float(1 + index % 4)),
                                      GraphBuilder.float("beta", beta), GraphBuilder.float("bias", index % 2 == 0 ? 1 : 2)]),
                ], inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], opset: 13)
                let x = GraphBuilder.tensor(shape, (0..<shape.reduce(1, *)).map { _ in Float(next() % 4001) / 100 - 20 })
                let evaluator = try Evaluator(model: model)
                let expected = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor)
                let actual = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor)
                XCTAssertEqual(actual.shape, shape)
                assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-5, atol: 1e-6,
                            "\(shape) size \(size) beta \(beta) threads \(threads)")
            }
        }
    }
}
