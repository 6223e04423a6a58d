import Executor
import ModelIR
import TestSupport
import XCTest

/// The fast plan's pooling kernels (`FastPool`, `FastGlobalPool`) against the step-by-step
/// reference kernels (`Pooling.pool`, `globalPool`) on random shapes, with one and two threads.
/// A run that captures intermediates takes the reference plan; a profiled plain run takes the
/// fast one, and the profile shows which kernel ran.
final class FastPoolDifferentialTests: XCTestCase {
    private typealias Generator = SeededGenerator

    override func tearDown() {
        ExecutorThreads.set(1)
        super.tearDown()
    }

    /// Runs the one-node model both ways; returns (fast, reference) outputs and the fast run's kernels.
    private func runBothWays(_ node: Node, _ x: Tensor, opset: Int64 = 19) throws -> (fast: Tensor, reference: Tensor, kernels: [String]) {
        let model = GraphBuilder.model([node], inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], opset: opset)
        let evaluator = try Evaluator(model: model)
        let reference = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor)
        let profile = ExecutionProfile()
        let fast = try XCTUnwrap(evaluator.run(["X": .tensor(x)], profile: profile)["Y"]?.tensor)
        return (fast, reference, profile.entries.map(\.kernel))
    }

    /// One random MaxPool or AveragePool: planes 1×1 to 60×60, kernels 1–5, strides 1–3,
    /// asymmetric pads, dilations 1–2, ceil_mode, count_include_pad, NaN in some max-pool inputs.
    private func checkRandomPool(_ random: inout Generator, max isMax: Bool, threads: Int) throws {
        ExecutorThreads.set(threads)
        let kernel = [random.int(1...5), random.int(1...5)]
        let strides = [random.int(1...3), random.int(1...3)]
        let dilations = [random.int(1...2), random.int(1...2)]
        let pads = [random.int(0...kernel[0] - 1), random.int(0...kernel[1] - 1), random.int(0...kernel[0] - 1), random.int(0...kernel[1] - 1)]
        let window = [(kernel[0] - 1) * dilations[0] + 1, (kernel[1] - 1) * dilations[1] + 1]
        let height = max(random.int(1...60), window[0] - pads[0] - pads[2], 1)
        let width = max(random.int(1...60), window[1] - pads[1] - pads[3], 1)
        let batch = random.int(1...2), channels = random.int(1...5)
        var attributes = [GraphBuilder.ints("kernel_shape", kernel.map(Int64.init)), GraphBuilder.ints("strides", strides.map(Int64.init)),
                          GraphBuilder.ints("dilations", dilations.map(Int64.init)), GraphBuilder.ints("pads", pads.map(Int64.init)),
                          GraphBuilder.int("ceil_mode", Int64(random.int(0...1)))]
        if !isMax { attributes.append(GraphBuilder.int("count_include_pad", Int64(random.int(0...1)))) }
        let withNaN = isMax && random.int(0...2) == 0
        let x = GraphBuilder.tensor([batch, channels, height, width],
                                    random.floats(batch * channels * height * width, nanEvery: withNaN ? 97 : nil))
        let op = isMax ? "MaxPool" : "AveragePool"
        let (fast, reference, kernels) = try runBothWays(Node(name: "pool", opType: op, inputs: ["X"], outputs: ["Y"], attributes: attributes), x)
        let context = "\(op) k \(kernel) s \(strides) d \(dilations) p \(pads) \(batch)×\(channels)×\(height)×\(width) NaN \(withNaN) threads \(threads)"
        XCTAssertEqual(kernels, ["FastPool"], context)
        XCTAssertEqual(fast.shape, reference.shape, context)
        let expected = try reference.floatValues(), actual = try fast.floatValues()
        XCTAssertEqual(actual.map(\.isNaN), expected.map(\.isNaN), "NaN positions: \(context)")
        assertClose(actual, expected, rtol: 1e-5, atol: 1e-6, context)
    }

    func testRandomMaxPoolsMatchTheReference() throws {
        var random = Generator(state: 11)
        for index in 0..<120 { try checkRandomPool(&random, max: true, threads: 1 + index % 2) }
    }

    func testRandomAveragePoolsMatchTheReference() throws {
        var random = Generator(state: 12)
        for index in 0..<120 { try checkRandomPool(&random, max: false, threads: 1 + index % 2) }
    }

    /// The pools of the light models: 3×3 stride 2 on a large plane, many planes split over two threads.
    func testLargeStrideTwoPoolsMatchTheReference() throws {
        var random = Generator(state: 13)
        for (op, size, pads, ceil) in [("MaxPool", 109, 0, 1), ("MaxPool", 56, 1, 0), ("AveragePool", 28, 1, 0), ("AveragePool", 7, 0, 0)] {
            for threads in [1, 2] {
                ExecutorThreads.set(threads)
                let kernel = op == "AveragePool" && size == 7 ? 7 : 3
                let attributes = [GraphBuilder.ints("kernel_shape", [Int64(kernel), Int64(kernel)]), GraphBuilder.ints("strides", [2, 2]),
                                  GraphBuilder.ints("pads", [Int64](repeating: Int64(pads), count: 4)), GraphBuilder.int("ceil_mode", Int64(ceil))]
                let x = GraphBuilder.tensor([1, 24, size, size], random.floats(24 * size * size))
                let (fast, reference, kernels) = try runBothWays(Node(name: "pool", opType: op, inputs: ["X"], outputs: ["Y"], attributes: attributes), x)
                let context = "\(op) \(size)² k \(kernel) p \(pads) ceil \(ceil) threads \(threads)"
                XCTAssertEqual(kernels, ["FastPool"], context)
                XCTAssertEqual(fast.shape, reference.shape, context)
                assertClose(try fast.floatValues(), try reference.floatValues(), rtol: 1e-5, atol: 1e-6, context)
            }
        }
    }

    /// A 2×2 max pool over a plane with one NaN, checked by hand: only the window holding it is NaN.
    func testMaxPoolPropagatesNaNByHand() throws {
        let node = Node(name: "pool", opType: "MaxPool", inputs: ["X"], outputs: ["Y"],
                        attributes: [GraphBuilder.ints("kernel_shape", [2, 2]), GraphBuilder.ints("strides", [2, 2])])
        let x = GraphBuilder.tensor([1, 1, 4, 4], [1, 2, 3, 4,
                                                   5, .nan, 7, 8,
                                                   -1, -2, -3, -4,
                                                   -5, -6, -7, -8])
        let (fast, _, kernels) = try runBothWays(node, x)
        XCTAssertEqual(kernels, ["FastPool"])
        let y = try fast.floatValues()
        XCTAssertEqual(y.count, 4)
        XCTAssertTrue(y[0].isNaN)
        XCTAssertEqual(Array(y[1...]), [8, -1, -3])
    }

    /// A 3×3 average pool with pads 1, checked by hand with and without `count_include_pad`.
    func testAveragePoolPaddingCountsByHand() throws {
        let x = GraphBuilder.tensor([1, 1, 2, 2], [1, 2, 3, 4])
        for (include, corner) in [(0, Float(10) / 4), (1, Float(10) / 9)] {
            let node = Node(name: "pool", opType: "AveragePool", inputs: ["X"], outputs: ["Y"],
                            attributes: [GraphBuilder.ints("kernel_shape", [3, 3]), GraphBuilder.ints("pads", [1, 1, 1, 1]),
                                         GraphBuilder.int("count_include_pad", Int64(include))])
            let (fast, _, kernels) = try runBothWays(node, x)
            XCTAssertEqual(kernels, ["FastPool"])
            assertClose(try fast.floatValues(), [corner, corner, corner, corner], rtol: 1e-6, atol: 0, "count_include_pad \(include)")
        }
    }

    func testGlobalPoolsMatchTheReference() throws {
        var random = Generator(state: 14)
        for index in 0..<60 {
            let threads = 1 + index % 2
            ExecutorThreads.set(threads)
            let op = index % 4 < 2 ? "GlobalAveragePool" : "GlobalMaxPool"
            let spatial = (0..<random.int(1...3)).map { _ in random.int(1...40) }
            let shape = [random.int(1...2), random.int(1...40)] + spatial
            let count = shape.reduce(1, *)
            let withNaN = op == "GlobalMaxPool" && index % 8 >= 6
            let x = GraphBuilder.tensor(shape, random.floats(count, nanEvery: withNaN ? 300 : nil))
            let (fast, reference, kernels) = try runBothWays(Node(name: "pool", opType: op, inputs: ["X"], outputs: ["Y"]), x)
            let context = "\(op) \(shape) NaN \(withNaN) threads \(threads)"
            XCTAssertEqual(kernels, ["FastGlobalPool"], context)
            XCTAssertEqual(fast.shape, Array(shape[..<2]) + [Int](repeating: 1, count: spatial.count), context)
            XCTAssertEqual(fast.shape, reference.shape, context)
            let expected = try reference.floatValues(), actual = try fast.floatValues()
            XCTAssertEqual(actual.map(\.isNaN), expected.map(\.isNaN), "NaN positions: \(context)")
            assertClose(actual, expected, rtol: 1e-5, atol: 1e-6, context)
        }
    }

    /// GlobalMaxPool gives NaN for a plane holding a NaN wherever it sits, in both plans.
    func testGlobalMaxPoolPropagatesNaNByHand() throws {
        let x = GraphBuilder.tensor([1, 3, 1, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                   .nan, 1, 1, 1, 1, 1, 1, 1, 1,
                                                   -3, -2, -1, -4, -5, -6, -7, -8, .nan])
        let (fast, reference, _) = try runBothWays(Node(name: "pool", opType: "GlobalMaxPool", inputs: ["X"], outputs: ["Y"]), x)
        for (name, y) in [("fast", try fast.floatValues()), ("reference", try reference.floatValues())] {
            XCTAssertEqual(y.count, 3, name)
            XCTAssertEqual(y.first, 9, name)
            XCTAssertTrue(y.dropFirst().allSatisfy(\.isNaN), "\(name): \(y)")
        }
    }
}
