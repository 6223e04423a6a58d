import Dispatch
@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// The fast plan's shape steps (`ShapeArithmetic`): which steps compute from shapes, and that runs
/// reusing the previous run's results agree with the reference plan however the input shape changes.
final class ShapeArithmeticTests: XCTestCase {
    private var random = SeededGenerator(state: 5)

    /// Y = Reshape(X, [C, N]) with the target built from Shape(X) as exported transformers build it,
    /// and Z = X + Cast(Range(0, C)) with the range from the same shape.
    private func model() -> Model {
        let int64 = { (name: String, shape: [Int], values: [Int64]) in
            (try? Tensor(name: name, shape: shape, scalars: values))!
        }
        let nodes = [
            Node(name: "shape", opType: "Shape", inputs: ["X"], outputs: ["S"]),
            Node(name: "n", opType: "Gather", inputs: ["S", "zero"], outputs: ["N"]),
            Node(name: "c", opType: "Gather", inputs: ["S", "one"], outputs: ["C"]),
            Node(name: "nu", opType: "Unsqueeze", inputs: ["N", "axes"], outputs: ["NU"]),
            Node(name: "cu", opType: "Unsqueeze", inputs: ["C", "axes"], outputs: ["CU"]),
            Node(name: "target", opType: "Concat", inputs: ["CU", "NU"], outputs: ["T"], attributes: [GraphBuilder.int("axis", 0)]),
            Node(name: "reshape", opType: "Reshape", inputs: ["X", "T"], outputs: ["Y"]),
            Node(name: "range", opType: "Range", inputs: ["zero", "C", "one"], outputs: ["R"]),
            Node(name: "cast", opType: "Cast", inputs: ["R"], outputs: ["RF"], attributes: [GraphBuilder.int("to", Int64(DataType.float.rawValue))]),
            Node(name: "add", opType: "Add", inputs: ["X", "RF"], outputs: ["Z"]),
        ]
        return GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y"), GraphBuilder.value("Z")],
                                  initializers: [int64("zero", [], [0]), int64("one", [], [1]), int64("axes", [1], [0])], opset: 13)
    }

    private func input(_ shape: [Int]) -> Tensor {
        GraphBuilder.tensor(shape, random.floats(shape.reduce(1, *)))
    }

    /// Runs the fast plan on `x` and checks both outputs against the reference plan, bit for bit.
    private func check(_ evaluator: Evaluator, _ x: Tensor, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try evaluator.run(tensors: ["X": x], captureIntermediates: true)
        let fast = try evaluator.run(["X": .tensor(x)])
        for name in ["Y", "Z"] {
            let expected = try XCTUnwrap(reference[name]?.tensor, file: file, line: line)
            let actual = try XCTUnwrap(fast[name]?.tensor, file: file, line: line)
            XCTAssertEqual(actual.shape, expected.shape, "\(name) for X \(x.shape)", file: file, line: line)
            XCTAssertEqual(try actual.floatValues(), try expected.floatValues(), "\(name) for X \(x.shape)", file: file, line: line)
        }
    }

    func testShapeStepsAreTheShapeAndWhatComputesFromItAlone() throws {
        let evaluator = try Evaluator(model: model())
        let plan = try XCTUnwrap(evaluator.fastGraph)
        let arithmetic = try XCTUnwrap(plan.shapeArithmetic)
        var roles: [String: String] = [:]
        for (step, role) in zip(plan.steps, arithmetic.roles) {
            switch role {
            case .shapeOf(let slot)?: roles[step.label] = "shape of \(plan.slotNames[slot])"
            case .derived?: roles[step.label] = "derived"
            case nil: roles[step.label] = "values"
            }
        }
        XCTAssertEqual(roles, ["shape": "shape of X", "n": "derived", "c": "derived", "nu": "derived", "cu": "derived",
                               "target": "derived", "range": "derived", "cast": "derived", "reshape": "values", "add": "values"])
    }

    func testRunsReuseShapeResultsOnlyWhileTheShapesMatch() throws {
        let evaluator = try Evaluator(model: model())
        let arithmetic = try XCTUnwrap(evaluator.fastGraph?.shapeArithmetic)
        let shapePosition = try XCTUnwrap(arithmetic.roles.firstIndex { if case .shapeOf? = $0 { return true } else { return false } })
        XCTAssertNil(arithmetic.begin().previous, "nothing to reuse before the first run")
        for shape in [[2, 3], [2, 3], [4, 5], [4, 5], [2, 3], [1, 7]] {
            try check(evaluator, input(shape))
            XCTAssertEqual(arithmetic.begin().previous?.steps[shapePosition].shape, shape, "the latest run's shape is kept")
        }
    }

    /// A result larger than `maxKeptElements` (the range and its cast for a wide X) is not kept:
    /// those steps run again each run, and the small results around them are still reused.
    func testLargeResultsAreComputedEachRunNotKept() throws {
        let evaluator = try Evaluator(model: model())
        let plan = try XCTUnwrap(evaluator.fastGraph)
        let arithmetic = try XCTUnwrap(plan.shapeArithmetic)
        let position = { (label: String) in try XCTUnwrap(plan.steps.firstIndex { $0.label == label }) }
        let range = try position("range"), cast = try position("cast"), target = try position("target")
        let wide = ShapeArithmetic.maxKeptElements + 1
        for shape in [[1, wide], [1, wide], [2, 3], [1, wide], [1, wide]] {
            try check(evaluator, input(shape))
            let kept = try XCTUnwrap(arithmetic.begin().previous)
            let isWide = shape[1] == wide
            XCTAssertEqual(kept.steps[range].isTooLarge, isWide, "range for X \(shape)")
            XCTAssertEqual(kept.steps[cast].isTooLarge, isWide, "cast for X \(shape)")
            XCTAssertEqual(kept.steps[range].outputs == nil, isWide, "range for X \(shape)")
            XCTAssertNotNil(kept.steps[target].outputs, "the reshape target for X \(shape) is kept")
        }
    }

    /// A run that fails after its Shape step has read a new shape leaves the previous results:
    /// the steps it never reached do not keep the old shape's values for the next run.
    func testAFailedRunLeavesThePreviousResults() throws {
        var base = model()
        base.graph.inputs.append(GraphBuilder.value("W"))
        base.graph.nodes.insert(Node(name: "check", opType: "Add", inputs: ["X", "W"], outputs: ["V"]), at: 1)
        base.graph.outputs.append(GraphBuilder.value("V"))
        let evaluator = try Evaluator(model: base)
        let small = input([2, 3]), large = input([4, 5])
        _ = try evaluator.run(["X": .tensor(small), "W": .tensor(small)])
        XCTAssertThrowsError(try evaluator.run(["X": .tensor(large), "W": .tensor(small)]), "[4, 5] + [2, 3] does not broadcast")
        let fast = try evaluator.run(["X": .tensor(large), "W": .tensor(large)])
        let reference = try evaluator.run(tensors: ["X": large, "W": large], captureIntermediates: true)
        for name in ["Y", "Z", "V"] {
            XCTAssertEqual(fast[name]?.tensor?.shape, reference[name]?.tensor?.shape, name)
            XCTAssertEqual(try fast[name]?.tensor?.floatValues(), try reference[name]?.tensor?.floatValues(), name)
        }
    }

    func testConcurrentRunsWithDifferentShapesAgreeWithTheReference() throws {
        let evaluator = try Evaluator(model: model())
        let inputs = (0..<16).map { input($0 % 2 == 0 ? [3, 4] : [$0 % 5 + 1, 2]) }
        let expected = try inputs.map { try evaluator.run(tensors: ["X": $0], captureIntermediates: true) }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 64) { iteration in
            let index = iteration % inputs.count
            do {
                let fast = try evaluator.run(["X": .tensor(inputs[index])])
                for name in ["Y", "Z"] where try fast[name]?.tensor?.floatValues() != expected[index][name]?.tensor?.floatValues()
                    || fast[name]?.tensor?.shape != expected[index][name]?.tensor?.shape {
                    failures.add("\(name) for X \(inputs[index].shape)")
                }
            } catch {
                failures.add("\(error)")
            }
        }
        XCTAssertEqual(failures.all, [])
    }
}

/// Messages gathered from concurrent work.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) {
        lock.lock()
        messages.append(message)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return messages
    }
}
