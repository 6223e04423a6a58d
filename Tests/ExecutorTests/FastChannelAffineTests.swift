@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// Chains of BatchNormalization, Mul/Add by per-channel constants and Relu/Clip run as one
/// `FastChannelAffine` step in the fast plan, and give the reference plan's result; constants that
/// do not broadcast per channel fall back to the original steps.
final class FastChannelAffineTests: XCTestCase {
    private var state: UInt64 = 11
    private func next() -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int(state >> 33)
    }
    private func floats(_ count: Int, from low: Float = -1) -> [Float] { (0..<count).map { _ in low + Float(next() % 2001) / 1000 } }

    /// BatchNormalization → Mul → Add → Relu (or Clip) on [N, C, H, W], constants of the given shapes.
    private func chain(channels: Int, mulShape: [Int], addShape: [Int], mulFirst: Bool, clip: Bool) -> Model {
        let bn = ["gamma", "beta", "mean", "var"].map { name in
            GraphBuilder.tensor(name, [channels], name == "var" ? floats(channels, from: 0.1) : floats(channels))
        }
        let m = GraphBuilder.tensor("M", mulShape, floats(mulShape.reduce(1, *)))
        let a = GraphBuilder.tensor("A", addShape, floats(addShape.reduce(1, *)))
        var nodes = [
            Node(name: "bn", opType: "BatchNormalization", inputs: ["X", "gamma", "beta", "mean", "var"], outputs: ["B"]),
            Node(name: "mul", opType: "Mul", inputs: mulFirst ? ["M", "B"] : ["B", "M"], outputs: ["P"]),
            Node(name: "add", opType: "Add", inputs: ["P", "A"], outputs: ["S"]),
        ]
        var initializers = bn + [m, a]
        if clip {
            initializers += [GraphBuilder.tensor("low", [], [-0.25]), GraphBuilder.tensor("high", [], [0.5])]
            nodes.append(Node(name: "clip", opType: "Clip", inputs: ["S", "low", "high"], outputs: ["Y"]))
        } else {
            nodes.append(Node(name: "relu", opType: "Relu", inputs: ["S"], outputs: ["Y"]))
        }
        return GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                  initializers: initializers, opset: 13)
    }

    func testChainsRunAsOneStepAndMatchTheReference() throws {
        for index in 0..<24 {
            let shape = [1 + next() % 2, 1 + next() % 6, 1 + next() % 5, 1 + next() % 5]
            let c = shape[1]
            let mulShape = [[c, 1, 1], [1, c, 1, 1], [1], []][index % 4]
            let addShape = [[1, c, 1, 1], [c, 1, 1], [], [1, 1, 1]][index / 4 % 4]
            let model = chain(channels: c, mulShape: mulShape, addShape: addShape, mulFirst: index % 3 == 0, clip: index % 2 == 1)
            let evaluator = try Evaluator(model: model)
            let fast = try XCTUnwrap(evaluator.fastGraph)
            XCTAssertEqual(fast.steps.count, 1, "\(shape) mul \(mulShape) add \(addShape)")
            XCTAssertTrue(fast.steps.first?.kernel is FastChannelAffine)
            let x = GraphBuilder.tensor(shape, floats(shape.reduce(1, *)))
            let expected = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor)
            let actual = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor)
            XCTAssertEqual(actual.shape, expected.shape)
            assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-5, atol: 1e-6, "\(shape) mul \(mulShape) add \(addShape)")
        }
    }

    func testConstantsThatDoNotBroadcastPerChannelFallBackToTheSteps() throws {
        let shape = [2, 3, 4, 5]
        let model = chain(channels: 3, mulShape: [1, 1, 1, 5], addShape: [4, 1], mulFirst: false, clip: false)
        let evaluator = try Evaluator(model: model)
        XCTAssertTrue(try XCTUnwrap(evaluator.fastGraph).steps.first?.kernel is FastChannelAffine)
        let x = GraphBuilder.tensor(shape, floats(shape.reduce(1, *)))
        let expected = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor)
        let actual = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor)
        XCTAssertEqual(actual.shape, shape)
        XCTAssertEqual(try actual.floatValues(), try expected.floatValues())
    }

    /// Conv → BatchNormalization → Mul → Relu: the Conv takes the normalization, and the chain after
    /// it folds into the same epilogue, so the plan is one step.
    func testChainAfterConvAndItsNormalizationFoldsIntoTheConv() throws {
        let w = GraphBuilder.tensor("W", [4, 2, 1, 1], floats(8))
        let bn = ["gamma", "beta", "mean", "var"].map { GraphBuilder.tensor($0, [4], $0 == "var" ? floats(4, from: 0.1) : floats(4)) }
        let model = GraphBuilder.model([
            Node(name: "conv", opType: "Conv", inputs: ["X", "W"], outputs: ["C"]),
            Node(name: "bn", opType: "BatchNormalization", inputs: ["C", "gamma", "beta", "mean", "var"], outputs: ["B"]),
            Node(name: "mul", opType: "Mul", inputs: ["B", "M"], outputs: ["P"]),
            Node(name: "relu", opType: "Relu", inputs: ["P"], outputs: ["Y"]),
        ], inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], initializers: [w, GraphBuilder.tensor("M", [4, 1, 1], floats(4))] + bn, opset: 13)
        let evaluator = try Evaluator(model: model)
        let steps = try XCTUnwrap(evaluator.fastGraph).steps.filter { !($0.kernel is ChannelsLastReorder) }
        XCTAssertEqual(steps.count, 1)
        let conv = try XCTUnwrap(steps.first.flatMap(Self.fusedConv))
        XCTAssertNotNil(conv.epsilon)
        XCTAssertEqual(conv.following?.stages.count, 2)
        let x = GraphBuilder.tensor([1, 2, 3, 3], floats(18))
        let expected = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor)
        let actual = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor)
        assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-5, atol: 1e-6, "conv chain")
    }
}

extension FastChannelAffineTests {
    /// The fused convolution `step` runs, channels-first or channels-last (the plan's layout
    /// changes around the latter are not counted as steps here).
    static func fusedConv(_ step: PreparedGraph.Step) -> FusedConv? {
        step.kernel as? FusedConv ?? (step.kernel as? ChannelsLastConv)?.fused
    }

    /// Conv (grouped, padded, with bias) → Mul → Add → Clip, with constants per map or one for all
    /// maps, folds into one FusedConv and matches the reference at 1 and 2 threads.
    func testConvFollowedByAChainMatchesTheReference() throws {
        for threads in [1, 2] {
            ExecutorThreads.set(threads)
            defer { ExecutorThreads.set(1) }
            for (maps, group, constantChannels) in [(6, 1, 6), (8, 2, 8), (6, 1, 1), (6, 3, 6)] {
                let channels = 6
                let w = GraphBuilder.tensor("W", [maps, channels / group, 3, 3], floats(maps * channels / group * 9))
                let model = GraphBuilder.model([
                    Node(name: "conv", opType: "Conv", inputs: ["X", "W", "Bias"], outputs: ["C"],
                         attributes: [GraphBuilder.int("group", Int64(group)), GraphBuilder.ints("pads", [1, 1, 1, 1])]),
                    Node(name: "mul", opType: "Mul", inputs: ["C", "M"], outputs: ["P"]),
                    Node(name: "add", opType: "Add", inputs: ["A", "P"], outputs: ["S"]),
                    Node(name: "clip", opType: "Clip", inputs: ["S", "low", "high"], outputs: ["Y"]),
                ], inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                   initializers: [w, GraphBuilder.tensor("Bias", [maps], floats(maps)),
                                  GraphBuilder.tensor("M", [constantChannels, 1, 1], floats(constantChannels)),
                                  GraphBuilder.tensor("A", [1, constantChannels, 1, 1], floats(constantChannels)),
                                  GraphBuilder.tensor("low", [], [-0.5]), GraphBuilder.tensor("high", [], [0.75])], opset: 13)
                let evaluator = try Evaluator(model: model)
                let steps = try XCTUnwrap(evaluator.fastGraph).steps.filter { !($0.kernel is ChannelsLastReorder) }
                XCTAssertEqual(steps.count, 1, "maps \(maps) group \(group)")
                XCTAssertNotNil(steps.first.flatMap(Self.fusedConv)?.following)
                let x = GraphBuilder.tensor([2, channels, 7, 5], floats(2 * channels * 35))
                let expected = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor)
                let actual = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor)
                XCTAssertEqual(actual.shape, expected.shape)
                assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-5, atol: 1e-5,
                            "maps \(maps) group \(group) threads \(threads)")
            }
        }
    }
}

extension FastChannelAffineTests {
    /// An N×C tensor (a Gemm's output): Mul by [C], Add of [1, C], Relu — channel c is column c.
    func testChainsOnMatricesApplyOneValuePerColumn() throws {
        for threads in [1, 2] {
            ExecutorThreads.set(threads)
            defer { ExecutorThreads.set(1) }
            for (rows, columns) in [(1, 5), (7, 5), (300, 64), (2, 3000)] {
                let model = GraphBuilder.model([
                    Node(name: "mul", opType: "Mul", inputs: ["X", "M"], outputs: ["P"]),
                    Node(name: "add", opType: "Add", inputs: ["P", "A"], outputs: ["S"]),
                    Node(name: "relu", opType: "Relu", inputs: ["S"], outputs: ["Y"]),
                ], inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                   initializers: [GraphBuilder.tensor("M", [columns], floats(columns)), GraphBuilder.tensor("A", [1, columns], floats(columns))],
                   opset: 13)
                let evaluator = try Evaluator(model: model)
                XCTAssertTrue(try XCTUnwrap(evaluator.fastGraph).steps.first?.kernel is FastChannelAffine)
                let x = GraphBuilder.tensor([rows, columns], floats(rows * columns))
                let expected = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor)
                let actual = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor)
                XCTAssertEqual(actual.shape, [rows, columns])
                assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-5, atol: 1e-6, "\(rows)×\(columns) threads \(threads)")
            }
        }
    }
}
