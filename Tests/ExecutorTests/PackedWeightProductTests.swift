@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// `FastMatMul` and `FastGemm` on constant weights (`ConstantWeightMatrix`: oneDNN's matmul for
/// matrices of `oneDNNElements` values, the AVX2/FMA panels otherwise) against a
/// float64 product computed here and against the reference plan's `MatMul_1`/`Gemm_1` (OpenBLAS),
/// on shapes that cover partial row tiles and column panels, several K passes and row blocks,
/// folded leading axes, and one and two threads. Skipped on CPUs without AVX2 and FMA, where these
/// products keep OpenBLAS.
final class PackedWeightProductTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(ConstantWeightMatrix.panelsSupported, "this CPU runs products with constant weights on OpenBLAS")
    }

    override func tearDown() {
        ExecutorThreads.set(1)
        ConstantWeightMatrix.prefersOneDNN = true
        super.tearDown()
    }

    /// Row-major `a` (rows × k) times `b` (k × n, or n × k when `transposed`) plus `bias` per
    /// column, in float64; also Σ|a·b| per element, the scale of float32's rounding.
    private func exact(_ a: [Float], _ b: [Float], rows: Int, k: Int, n: Int, transposed: Bool = false,
                       bias: [Float]? = nil) -> (values: [Float], scale: [Float]) {
        var values = [Float](), scale = [Float]()
        for i in 0..<rows {
            for j in 0..<n {
                var sum = Double(bias?[j] ?? 0), magnitude = abs(Double(bias?[j] ?? 0))
                for p in 0..<k {
                    let product = Double(a[i * k + p]) * Double(transposed ? b[j * k + p] : b[p * n + j])
                    sum += product
                    magnitude += abs(product)
                }
                values.append(Float(sum))
                scale.append(Float(magnitude))
            }
        }
        return (values, scale)
    }

    private func assertWithinRounding(_ actual: [Float], _ expected: (values: [Float], scale: [Float]), _ message: String,
                                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.values.count, message, file: file, line: line)
        let worst = zip(actual, zip(expected.values, expected.scale)).map { abs($0 - $1.0) / max($1.1, 1e-30) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 2e-6, "error over Σ|a·b| \(worst): \(message)", file: file, line: line)
    }

    /// MatMul of `X` [batch, rows, k] (or [k] when `vector`) by a constant [k, n]: the plan takes
    /// `FastMatMul`, and its output matches float64 and the reference plan.
    private func checkMatMul(batch: Int, rows: Int, k: Int, n: Int, vector: Bool = false, threads: Int,
                             _ random: inout SeededGenerator, file: StaticString = #filePath, line: UInt = #line) throws {
        ExecutorThreads.set(threads)
        let description = "MatMul \(vector ? "[\(k)]" : "[\(batch), \(rows), \(k)]") × [\(k), \(n)], \(threads) threads"
        let xShape = vector ? [k] : [batch, rows, k]
        let xValues = random.floats(xShape.reduce(1, *)), wValues = random.floats(k * n)
        let model = GraphBuilder.model([Node(name: "mm", opType: "MatMul", inputs: ["X", "W"], outputs: ["Y"])],
                                       inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                       initializers: [GraphBuilder.tensor("W", [k, n], wValues)], opset: 13)
        let evaluator = try Evaluator(model: model)
        let plan = try XCTUnwrap(evaluator.fastGraph, description, file: file, line: line)
        XCTAssertTrue(plan.steps.contains { $0.kernel is FastMatMul }, "not packed: \(description)", file: file, line: line)
        let x = GraphBuilder.tensor(xShape, xValues)
        let fast = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor, file: file, line: line)
        let reference = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor, file: file, line: line)
        XCTAssertEqual(fast.shape, vector ? [n] : [batch, rows, n], description, file: file, line: line)
        XCTAssertEqual(fast.shape, reference.shape, description, file: file, line: line)
        let expected = exact(xValues, wValues, rows: vector ? 1 : batch * rows, k: k, n: n)
        assertWithinRounding(try fast.floatValues(), expected, description, file: file, line: line)
        assertWithinRounding(try reference.floatValues(), expected, "reference plan: " + description, file: file, line: line)
    }

    func testMatMulWithConstantWeightsMatchesFloat64OnEdgeShapes() throws {
        var random = SeededGenerator(state: 0x9ac4ed)
        let shapes: [(batch: Int, rows: Int, k: Int, n: Int)] = [
            (1, 1, 1, 1), (1, 1, 768, 40), (1, 6, 16, 16), (1, 7, 17, 15), (2, 5, 255, 17), (1, 17, 256, 33),
            (1, 17, 257, 48), (3, 11, 600, 31), (1, 97, 64, 20), (1, 200, 300, 50), (2, 1, 9, 130),
        ]
        for threads in [1, 2] {
            for shape in shapes {
                try checkMatMul(batch: shape.batch, rows: shape.rows, k: shape.k, n: shape.n, threads: threads, &random)
            }
        }
        try checkMatMul(batch: 1, rows: 1, k: 300, n: 70, vector: true, threads: 2, &random)
    }

    /// The same large products in both forms: oneDNN's matmul (a compiled implementation, one
    /// primitive per row count and bias, besides the one that chose the layout; fewer than 4 rows
    /// read the matrix in place) and, with it switched off, the AVX2 panels; both within float32
    /// rounding of float64, with and without a bias.
    func testBothFormsOfALargeMatrixMatchFloat64() throws {
        var random = SeededGenerator(state: 0x51de)
        let (k, n) = (300, 70)
        let wValues = random.floats(k * n)
        for oneDNN in [true, false] {
            ConstantWeightMatrix.prefersOneDNN = oneDNN
            let matrix = try XCTUnwrap(ConstantWeightMatrix(GraphBuilder.tensor("W", [k, n], wValues), transposed: false))
            for (rows, threads) in [(1, 1), (3, 2), (17, 2), (130, 1)] {
                ExecutorThreads.set(threads)
                let aValues = random.floats(rows * k), bias = random.floats(n)
                for withBias in [false, true] {
                    var c = [Float](repeating: .nan, count: rows * n)
                    let ran = aValues.withUnsafeBufferPointer { a in
                        bias.withUnsafeBufferPointer { b in
                            wValues.withUnsafeBufferPointer { w in
                                c.withUnsafeMutableBufferPointer {
                                    matrix.product(a: a.baseAddress!, rows: rows, bias: withBias ? b.baseAddress : nil, c: $0.baseAddress!,
                                                   source: w.baseAddress!)
                                }
                            }
                        }
                    }
                    let description = "\(oneDNN ? "oneDNN" : "panels"), \(rows) rows, bias \(withBias), \(threads) threads"
                    XCTAssertTrue(ran, description)
                    assertWithinRounding(c, exact(aValues, wValues, rows: rows, k: k, n: n, bias: withBias ? bias : nil), description)
                }
            }
            let implementations = matrix.implementations
            if oneDNN {
                // The layout's probe and one per row count and bias from 4 rows up; 1 and 3 rows read W in place.
                XCTAssertEqual(implementations.count, 5, "\(implementations)")
                XCTAssertFalse(implementations.contains { $0.contains("ref") || $0 == "avx2 panels" }, "\(implementations)")
            } else {
                XCTAssertEqual(implementations, ["avx2 panels"])
            }
        }
    }

    func testMatMulWithComputedWeightsKeepsTheReferenceKernel() throws {
        let model = GraphBuilder.model([Node(name: "mm", opType: "MatMul", inputs: ["X", "W"], outputs: ["Y"])],
                                       inputs: [GraphBuilder.value("X"), GraphBuilder.value("W")], outputs: [GraphBuilder.value("Y")], opset: 13)
        let evaluator = try Evaluator(model: model)
        XCTAssertFalse(evaluator.fastGraph?.steps.contains { $0.kernel is FastMatMul } ?? false)
        let y = try evaluator.run(tensors: ["X": GraphBuilder.tensor([1, 2], [1, 2]), "W": GraphBuilder.tensor([2, 1], [3, 4])])
        XCTAssertEqual(try y["Y"]?.tensor?.floatValues(), [11])
    }

    /// Gemm with constant B (plain and transposed) and every addend shape the packed product folds
    /// in as a per-column bias, plus a full [m, n] addend, which it leaves to `Gemm_1`.
    func testGemmWithConstantWeightsFoldsItsAddendAsABias() throws {
        var random = SeededGenerator(state: 0x6e33)
        let (m, k, n) = (9, 70, 37)
        for transB in [false, true] {
            for addendShape: [Int]? in [nil, [], [1], [n], [1, n], [m, n]] {
                for threads in [1, 2] {
                    ExecutorThreads.set(threads)
                    let description = "Gemm transB \(transB) addend \(addendShape.map { "\($0)" } ?? "none"), \(threads) threads"
                    let xValues = random.floats(m * k), wValues = random.floats(k * n)
                    let addendCount = addendShape?.reduce(1, *) ?? 0
                    let cValues = random.floats(addendCount)
                    var initializers = [GraphBuilder.tensor("W", transB ? [n, k] : [k, n], wValues)]
                    var inputs = ["X", "W"]
                    if let addendShape {
                        initializers.append(GraphBuilder.tensor("C", addendShape, cValues))
                        inputs.append("C")
                    }
                    let beta: Float = 0.5
                    let node = Node(name: "gemm", opType: "Gemm", inputs: inputs, outputs: ["Y"], attributes: [
                        GraphBuilder.int("transB", transB ? 1 : 0), Attribute(name: "beta", value: .float(beta)),
                    ])
                    let model = GraphBuilder.model([node], inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                                   initializers: initializers, opset: 13)
                    let evaluator = try Evaluator(model: model)
                    let gemm = try XCTUnwrap(evaluator.fastGraph?.steps.compactMap { $0.kernel as? FastGemm }.first, description)
                    XCTAssertNotNil(gemm.weights, description)
                    let fast = try XCTUnwrap(evaluator.run(tensors: ["X": GraphBuilder.tensor([m, k], xValues)])["Y"]?.tensor)
                    XCTAssertEqual(fast.shape, [m, n], description)
                    var expected = exact(xValues, wValues, rows: m, k: k, n: n, transposed: transB)
                    for i in 0..<m {
                        for j in 0..<n where addendCount > 0 {
                            let c = addendCount == 1 ? cValues[0] : (addendCount == n ? cValues[j] : cValues[i * n + j])
                            expected.values[i * n + j] += beta * c
                            expected.scale[i * n + j] += abs(beta * c)
                        }
                    }
                    assertWithinRounding(try fast.floatValues(), expected, description)
                }
            }
        }
    }
}
