@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// Integer Conv, Gemm and MatMul writing quantized results (the QuantizeLinear after them absorbed)
/// against two references, on every `Int8Gemm` path this CPU runs, at one and two threads:
///
/// - QLinearConv's requantization computed here, as ONNX Runtime's `MlasRequantizeOutput` does it
///   (`round_half_even(Float(acc + bias) · (s_x · s_w / s_y)) + zero`, saturated, the bias int32):
///   equal byte for byte whenever the bias is int32 with scale `s_x · s_w` (or absent);
/// - the reference plan (DequantizeLinear, the float operator, QuantizeLinear): equal, except by
///   one step where the exact quotient lies within the two computations' float rounding of a
///   rounding boundary (a half-integer).
///
/// Scales that are powers of two put every odd sum exactly on a boundary, where all three agree
/// (ties to even), and scales one part in 2²² off put the quotients just beside it.
final class QuantizedRequantizationTests: XCTestCase {
    private typealias Generator = SeededGenerator

    private var paths: [Int8Gemm.Path] { Int8Gemm.Path.allCases.filter { $0 <= Int8Gemm.supported } }

    override func tearDown() {
        Int8Gemm.path = Int8Gemm.supported
        ExecutorThreads.set(1)
        super.tearDown()
    }

    private func quantized(_ name: String, _ type: DataType, _ shape: [Int], _ values: [Int]) throws -> Tensor {
        try Tensor(name: name, converting: values.map(Double.init), to: type, shape: shape)
    }

    /// A quantized product's parameters and integers.
    private struct Case: CustomStringConvertible {
        var batch = 1, channels = 1, maps = 1, group = 1, height = 1, width = 1
        var kernel = [1, 1], strides = [1, 1], pads = [0, 0, 0, 0]
        var type = DataType.int8, outputType = DataType.int8
        var xScale: Float = 0.02, xZero = 0, yScale: Float = 0.1, yZero = 0
        var wScales: [Float] = [0.01]
        var hasBias = true
        /// True: the bias scale is `xScale · wScales[m]`; false: another scale (no integer bias).
        var matchingBiasScale = true
        var activation = ""
        var clip: (Float, Float) = (0, 6)
        var xValues: [Int] = [], wValues: [Int] = [], bValues: [Int] = []

        var description: String {
            "N \(batch) C \(channels) M \(maps) group \(group) \(height)×\(width) k \(kernel) s \(strides) p \(pads) \(type)→\(outputType) "
                + "s_x \(xScale) z_x \(xZero) s_y \(yScale) z_y \(yZero) \(wScales.count) weight scales\(hasBias ? " bias" : "")"
                + "\(matchingBiasScale ? "" : " (other scale)") \(activation)"
        }
        var outHeight: Int { (height + pads[0] + pads[2] - kernel[0]) / strides[0] + 1 }
        var outWidth: Int { (width + pads[1] + pads[3] - kernel[1]) / strides[1] + 1 }
        var depth: Int { channels / group * kernel[0] * kernel[1] }
        func weightScale(_ m: Int) -> Float { wScales.count == 1 ? wScales[0] : wScales[m] }
        func biasScale(_ m: Int) -> Float { matchingBiasScale ? xScale * weightScale(m) : weightScale(m) * 0.37 }
    }

    private func filled(_ c: inout Case, _ random: inout Generator, extreme: Bool = false) {
        let range = c.type == .uint8 ? 0...255 : -128...127
        c.xValues = (0..<(c.batch * c.channels * c.height * c.width)).map { _ in extreme ? range.upperBound : random.int(range) }
        c.wValues = (0..<(c.maps * c.depth)).map { _ in extreme ? 127 : random.int(-127...127) }
        c.bValues = (0..<c.maps).map { _ in random.int(-20000...20000) }
    }

    /// DequantizeLinear(X) → Conv with DequantizeLinear'd weights and bias → activation → QuantizeLinear.
    private func convModel(_ c: Case) throws -> Model {
        var initializers = [
            try quantized("Xz", c.type, [], [c.xZero]), GraphBuilder.tensor("Xs", [], [c.xScale]),
            try quantized("Wq", .int8, [c.maps, c.channels / c.group] + c.kernel, c.wValues),
            GraphBuilder.tensor("Ws", c.wScales.count == 1 ? [] : [c.maps], c.wScales),
            GraphBuilder.tensor("Ys", [], [c.yScale]), try quantized("Yz", c.outputType, [], [c.yZero]),
        ]
        var nodes = [
            Node(name: "dqx", opType: "DequantizeLinear", inputs: ["X", "Xs", "Xz"], outputs: ["Xd"]),
            Node(name: "dqw", opType: "DequantizeLinear", inputs: ["Wq", "Ws"], outputs: ["Wd"], attributes: [GraphBuilder.int("axis", 0)]),
        ]
        var convInputs = ["Xd", "Wd"]
        if c.hasBias {
            initializers += [try quantized("Bq", .int32, [c.maps], c.bValues), GraphBuilder.tensor("Bs", [c.maps], (0..<c.maps).map(c.biasScale))]
            nodes.append(Node(name: "dqb", opType: "DequantizeLinear", inputs: ["Bq", "Bs"], outputs: ["Bd"], attributes: [GraphBuilder.int("axis", 0)]))
            convInputs.append("Bd")
        }
        nodes.append(Node(name: "conv", opType: "Conv", inputs: convInputs, outputs: ["C"], attributes: [
            GraphBuilder.int("group", Int64(c.group)), GraphBuilder.ints("strides", c.strides.map(Int64.init)),
            GraphBuilder.ints("pads", c.pads.map(Int64.init)),
        ]))
        var last = "C"
        if c.activation == "Relu" {
            nodes.append(Node(name: "relu", opType: "Relu", inputs: ["C"], outputs: ["R"]))
            last = "R"
        } else if c.activation == "Clip" {
            initializers += [GraphBuilder.tensor("lo", [], [c.clip.0]), GraphBuilder.tensor("hi", [], [c.clip.1])]
            nodes.append(Node(name: "clip", opType: "Clip", inputs: ["C", "lo", "hi"], outputs: ["R"]))
            last = "R"
        }
        nodes.append(Node(name: "q", opType: "QuantizeLinear", inputs: [last, "Ys", "Yz"], outputs: ["Y"]))
        return GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X", c.type)], outputs: [GraphBuilder.value("Y", c.outputType)],
                                  initializers: initializers, opset: 13)
    }

    /// Per output element: the exact integer sum (with the bias when it is an integer one), the
    /// sum of the products' magnitudes, and the exact real quotient `y / s_y` before rounding.
    private struct Exact {
        var sums: [Int] = [], spreads: [Double] = [], quotients: [Double] = []
    }

    private func exactConv(_ c: Case) -> Exact {
        var result = Exact()
        let groupChannels = c.channels / c.group, groupMaps = c.maps / c.group
        for n in 0..<c.batch {
            for m in 0..<c.maps {
                let g = m / groupMaps
                let scale = Double(c.xScale) * Double(c.weightScale(m))
                let bias = c.hasBias ? Double(c.bValues[m]) * Double(c.biasScale(m)) : 0
                for oy in 0..<c.outHeight {
                    for ox in 0..<c.outWidth {
                        var acc = 0, absolute = 0
                        for ci in 0..<groupChannels {
                            for ky in 0..<c.kernel[0] {
                                for kx in 0..<c.kernel[1] {
                                    let iy = oy * c.strides[0] - c.pads[0] + ky, ix = ox * c.strides[1] - c.pads[1] + kx
                                    guard iy >= 0, iy < c.height, ix >= 0, ix < c.width else { continue }
                                    let xv = c.xValues[((n * c.channels + g * groupChannels + ci) * c.height + iy) * c.width + ix] - c.xZero
                                    let product = xv * c.wValues[((m * groupChannels + ci) * c.kernel[0] + ky) * c.kernel[1] + kx]
                                    acc += product
                                    absolute += abs(product)
                                }
                            }
                        }
                        result.sums.append(acc + (c.hasBias && c.matchingBiasScale ? c.bValues[m] : 0))
                        result.spreads.append(Double(absolute) * scale + abs(bias))
                        result.quotients.append((Double(acc) * scale + bias) / Double(c.yScale))
                    }
                }
            }
        }
        return result
    }

    /// The bounds of the quantized result: the type's range, narrowed by Relu or Clip as
    /// QuantizeLinear maps their bounds.
    private func levels(_ c: Case) -> (Int, Int) {
        var (low, high) = c.outputType == .int8 ? (-128, 127) : (0, 255)
        func level(_ bound: Float) -> Int { Int((bound / c.yScale).rounded(.toNearestOrEven)) + c.yZero }
        if c.activation == "Relu" { low = max(low, level(0)) }
        if c.activation == "Clip" { (low, high) = (max(low, level(c.clip.0)), min(high, level(c.clip.1))) }
        return (low, high)
    }

    /// QLinearConv's requantization of integer sums (bias included) for map `m`.
    private func requantized(_ sum: Int, multiplier: Float, zero: Int, bounds: (Int, Int)) -> Int {
        let value = Float(sum) * multiplier
        return min(max(Int(value.rounded(.toNearestOrEven)) + zero, bounds.0), bounds.1)
    }

    /// Runs `model` on `x` on every path at one and two threads and checks the bytes against
    /// `expected` (when given) and against the reference plan within the rounding-boundary window.
    private func check(_ model: Model, x: Tensor, expected: [Int]?, exact: Exact, depth: Int, yScale: Float, _ context: String,
                       file: StaticString = #filePath, line: UInt = #line) throws -> (fast: [Int], reference: [Int]) {
        let evaluator = try Evaluator(model: model)
        let kinds = evaluator.fastGraph?.steps.map { String(describing: type(of: $0.kernel)) } ?? []
        XCTAssertEqual(kinds.count, 1, "\(context): \(kinds)", file: file, line: line)
        XCTAssertTrue(kinds.first == "QuantizedConv" || kinds.first == "QuantizedGemm", "\(context): \(kinds)", file: file, line: line)
        let reference = try XCTUnwrap(try evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor).int64Values().map { Int($0) }
        var last: [Int] = []
        for threads in [1, 2] {
            ExecutorThreads.set(threads)
            for path in paths {
                Int8Gemm.path = path
                let fast = try XCTUnwrap(try evaluator.run(tensors: ["X": x])["Y"]?.tensor)
                let values = try fast.int64Values().map { Int($0) }
                XCTAssertEqual(values.count, exact.quotients.count, "\(context)", file: file, line: line)
                if let expected {
                    let wrong = values.indices.filter { values[$0] != expected[$0] }
                    XCTAssertTrue(wrong.isEmpty, "\(context) \(path) threads \(threads): \(wrong.count) bytes differ from QLinearConv's, "
                                  + "first at \(wrong.first ?? -1): \(wrong.first.map { (values[$0], expected[$0]) }.debugDescription)",
                                  file: file, line: line)
                }
                for index in values.indices where index < reference.count && values[index] != reference[index] {
                    let quotient = exact.quotients[index]
                    let window = (Double(depth + 3) * 2 * floatUnit * exact.spreads[index]) / Double(yScale) + 8 * floatUnit * abs(quotient)
                    let fromBoundary = abs(quotient - (quotient.rounded(.down) + 0.5))
                    XCTAssertEqual(abs(values[index] - reference[index]), 1, "\(context) \(path): element \(index)", file: file, line: line)
                    XCTAssertLessThanOrEqual(fromBoundary, window, "\(context) \(path) threads \(threads): element \(index) (quotient \(quotient)) "
                                             + "differs from the reference plan away from a rounding boundary", file: file, line: line)
                }
                if !last.isEmpty { XCTAssertEqual(values, last, "\(context): every path and thread count gives the same bytes", file: file, line: line) }
                last = values
            }
        }
        return (last, reference)
    }

    private let floatUnit: Double = 1.0 / 16_777_216

    private func checkConv(_ c: Case, file: StaticString = #filePath, line: UInt = #line) throws -> (fast: [Int], reference: [Int]) {
        let exact = exactConv(c)
        let bounds = levels(c)
        let expected: [Int]? = c.matchingBiasScale || !c.hasBias
            ? exact.sums.indices.map { index in
                let m = (index / (c.outHeight * c.outWidth)) % c.maps
                return requantized(exact.sums[index], multiplier: c.xScale * c.weightScale(m) / c.yScale, zero: c.yZero, bounds: bounds)
            } : nil
        let x = try quantized("", c.type, [c.batch, c.channels, c.height, c.width], c.xValues)
        return try check(try convModel(c), x: x, expected: expected, exact: exact, depth: c.depth, yScale: c.yScale, "\(c)",
                         file: file, line: line)
    }

    /// Asserts that most of `results` (one per case) spread over many levels, so that the cases
    /// test rounding rather than saturation.
    private func assertSpread(_ results: [[Int]], file: StaticString = #filePath, line: UInt = #line) {
        let spread = results.filter { Set($0).count > min(16, $0.count / 4) }.count
        XCTAssertGreaterThanOrEqual(spread * 5, results.count * 4, "\(spread) of \(results.count) cases spread over many levels",
                                    file: file, line: line)
    }

    private func randomCase(_ random: inout Generator, depthwise: Bool = false, pointwise: Bool = false) -> Case {
        var c = Case()
        c.batch = random.int(1...2)
        c.group = depthwise ? random.int(2...9) : [1, 1, 2][random.int(0...2)]
        c.channels = c.group * (depthwise ? 1 : random.int(1...10))
        c.maps = c.group * (depthwise ? 1 : random.int(1...12))
        let side = depthwise ? [3, 3, 5][random.int(0...2)] : random.int(1...3)
        c.kernel = pointwise ? [1, 1] : [side, side]
        c.strides = pointwise ? [1, 1] : [random.int(1...2), random.int(1...2)]
        c.pads = pointwise ? [0, 0, 0, 0] : (0..<4).map { _ in random.int(0...side / 2) }
        c.height = random.int(c.kernel[0]...13)
        c.width = random.int(c.kernel[1]...21)
        c.type = random.int(0...1) == 0 ? .uint8 : .int8
        c.outputType = random.int(0...1) == 0 ? .uint8 : .int8
        c.xZero = c.type == .uint8 ? random.int(0...255) : random.int(-128...127)
        c.yZero = c.outputType == .uint8 ? random.int(60...200) : random.int(-60...60)
        c.xScale = random.float(0.005...0.05)
        c.wScales = (0..<(random.int(0...1) == 0 ? 1 : c.maps)).map { _ in random.float(0.002...0.02) }
        // The output scale spreads the results over about ±100 levels.
        let magnitude = Double(c.xScale) * Double(c.wScales.max() ?? 0.01) * 128 * 64 * Double(c.depth).squareRoot()
        c.yScale = Float(magnitude / 100)
        c.hasBias = random.int(0...3) != 0
        c.activation = ["", "", "Relu", "Clip"][random.int(0...3)]
        c.clip = (Float(-20 * Double(c.yScale)), Float(70 * Double(c.yScale)) + 0.0001)
        filled(&c, &random)
        return c
    }

    func testConvolutionsRequantizeAsQLinearConvOnEveryPathAndThreadCount() throws {
        var random = Generator(state: 101)
        var results: [[Int]] = []
        for _ in 0..<25 { results.append(try checkConv(randomCase(&random)).fast) }
        for _ in 0..<10 { results.append(try checkConv(randomCase(&random, pointwise: true)).fast) }
        assertSpread(results)
    }

    /// Depthwise convolutions: 3×3 on the AVX-512 float-lane kernel (on that path), 5×5 in int32.
    func testDepthwiseConvolutionsRequantizeAsQLinearConv() throws {
        var random = Generator(state: 102)
        assertSpread(try (0..<20).map { _ in try checkConv(randomCase(&random, depthwise: true)).fast })
    }

    /// A bias whose scale is not `s_x · s_w` is not QLinearConv's int32 bias: the result is the
    /// graph's to within the rounding-boundary window, no byte-exact claim.
    func testBiasOfAnotherScaleStaysWithinTheBoundaryWindow() throws {
        var random = Generator(state: 103)
        for depthwise in [false, true] {
            var c = randomCase(&random, depthwise: depthwise)
            c.hasBias = true
            c.matchingBiasScale = false
            filled(&c, &random)
            _ = try checkConv(c)
        }
    }

    /// Sums beyond 2²⁴ (every input 255 or 127 against weights 127, depth 630): `Float(acc + bias)`
    /// rounds as in QLinearConv, and saturation clips to the type.
    func testDeepSumsBeyondFloatPrecision() throws {
        var random = Generator(state: 104)
        var c = Case()
        (c.channels, c.maps, c.height, c.width, c.kernel, c.pads) = (70, 9, 5, 6, [3, 3], [1, 1, 1, 1])
        (c.type, c.xZero, c.outputType, c.yZero) = (.uint8, 0, .uint8, 0)
        c.xScale = 0.01
        c.wScales = [0.004]
        c.yScale = Float(0.01 * 0.004 * 630 * 255 * 127 / 250)
        filled(&c, &random, extreme: true)
        c.wValues = c.wValues.enumerated().map { $0.offset % 5 == 0 ? 126 : 127 }
        let (fast, _) = try checkConv(c)
        XCTAssertTrue(exactConv(c).sums.contains { abs($0) > 1 << 24 }, "the case should have sums beyond 2²⁴")
        XCTAssertGreaterThanOrEqual(Set(fast).count, 4)
    }

    /// Scales whose quotient factor is exactly ½: every odd sum is a tie, rounded to even by the
    /// fast plan, the reference plan and QLinearConv alike. Then factors one part in 2²² below
    /// and above ½ put the same sums just below and just above the boundary.
    func testValuesOnAndBesideRoundingBoundaries() throws {
        var random = Generator(state: 105)
        for depthwise in [false, true] {
            var c = Case()
            (c.batch, c.channels, c.maps, c.group) = (1, depthwise ? 6 : 5, depthwise ? 6 : 7, depthwise ? 6 : 1)
            (c.height, c.width, c.kernel, c.pads) = (7, 19, [3, 3], [1, 1, 1, 1])
            (c.type, c.xZero, c.outputType, c.yZero) = (.int8, 3, .int8, -5)
            (c.xScale, c.wScales) = (0.25, [0.5])
            filled(&c, &random)
            c.xValues = c.xValues.map { $0 / 16 }
            c.wValues = c.wValues.map { $0 / 16 }
            c.bValues = c.bValues.map { $0 / 1000 }
            var rounded: [[Int]] = []
            for yScale: Float in [0.25, 0.25 * (1 + 0x1p-22), 0.25 * (1 - 0x1p-22)] {
                c.yScale = yScale
                let (fast, reference) = try checkConv(c)
                XCTAssertEqual(fast, reference, "\(c): far from any float error, the fast plan equals the reference plan")
                rounded.append(fast)
            }
            let sums = exactConv(c).sums
            let ties = sums.indices.filter { sums[$0] % 2 != 0 && abs(sums[$0]) < 200 }
            XCTAssertGreaterThan(ties.count, 20, "odd sums within the type's range are ties")
            for index in ties {
                let half = Double(sums[index]) / 2
                let even = Int(half.rounded(.toNearestOrEven)) - 5, below = Int(half.rounded(.down)) - 5, above = Int(half.rounded(.up)) - 5
                guard -128 < below, above < 127 else { continue }
                XCTAssertEqual(rounded[0][index], even, "element \(index): a tie rounds to even")
                XCTAssertEqual(rounded[1][index], sums[index] > 0 ? below : above, "element \(index): just inside the boundary")
                XCTAssertEqual(rounded[2][index], sums[index] > 0 ? above : below, "element \(index): just outside the boundary")
            }
        }
    }

    /// X → DequantizeLinear → Gemm (int32 C) or MatMul with DequantizeLinear'd int8 weights → QuantizeLinear.
    private func checkGemm(_ random: inout Generator, matMul: Bool) throws -> [Int] {
        let rows = random.int(1...3), depth = random.int(1...300), outputs = random.int(1...40)
        let type: DataType = random.int(0...1) == 0 ? .uint8 : .int8, outputType: DataType = random.int(0...1) == 0 ? .uint8 : .int8
        let range = type == .uint8 ? 0...255 : -128...127
        let transB = !matMul && random.int(0...1) == 1
        let perChannel = random.int(0...1) == 1, hasBias = !matMul && random.int(0...1) == 1
        let xValues = (0..<(rows * depth)).map { _ in random.int(range) }
        let wValues = (0..<(depth * outputs)).map { _ in random.int(-127...127) }
        let zero = random.int(range), xScale = random.float(0.005...0.05)
        let wScales = (0..<(perChannel ? outputs : 1)).map { _ in random.float(0.002...0.02) }
        let yScale = Float(Double(xScale) * Double(wScales.max() ?? 0.01) * 128 * 64 * Double(depth).squareRoot() / 100)
        let yZero = outputType == .uint8 ? random.int(60...200) : random.int(-60...60)
        let bValues = (0..<outputs).map { _ in random.int(-20000...20000) }
        func weightScale(_ j: Int) -> Float { wScales[perChannel ? j : 0] }
        var initializers = [
            try quantized("Xz", type, [], [zero]), GraphBuilder.tensor("Xs", [], [xScale]),
            try quantized("Wq", .int8, transB ? [outputs, depth] : [depth, outputs], wValues),
            GraphBuilder.tensor("Ws", perChannel ? [outputs] : [], wScales),
            GraphBuilder.tensor("Ys", [], [yScale]), try quantized("Yz", outputType, [], [yZero]),
        ]
        var nodes = [
            Node(name: "dqx", opType: "DequantizeLinear", inputs: ["X", "Xs", "Xz"], outputs: ["Xd"]),
            Node(name: "dqw", opType: "DequantizeLinear", inputs: ["Wq", "Ws"], outputs: ["Wd"], attributes: [GraphBuilder.int("axis", transB ? 0 : 1)]),
        ]
        var inputs = ["Xd", "Wd"]
        if hasBias {
            initializers += [try quantized("Bq", .int32, [outputs], bValues), GraphBuilder.tensor("Bs", [outputs], (0..<outputs).map { xScale * weightScale($0) })]
            nodes.append(Node(name: "dqb", opType: "DequantizeLinear", inputs: ["Bq", "Bs"], outputs: ["Bd"], attributes: [GraphBuilder.int("axis", 0)]))
            inputs.append("Bd")
        }
        nodes.append(matMul ? Node(name: "mm", opType: "MatMul", inputs: inputs, outputs: ["G"])
            : Node(name: "gemm", opType: "Gemm", inputs: inputs, outputs: ["G"], attributes: [GraphBuilder.int("transB", transB ? 1 : 0)]))
        nodes.append(Node(name: "q", opType: "QuantizeLinear", inputs: ["G", "Ys", "Yz"], outputs: ["Y"]))
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X", type)], outputs: [GraphBuilder.value("Y", outputType)],
                                       initializers: initializers, opset: 13)
        var exact = Exact()
        var expected: [Int] = []
        let bounds = outputType == .int8 ? (-128, 127) : (0, 255)
        for r in 0..<rows {
            for j in 0..<outputs {
                var acc = 0, absolute = 0
                for k in 0..<depth {
                    let product = (xValues[r * depth + k] - zero) * wValues[transB ? j * depth + k : k * outputs + j]
                    acc += product
                    absolute += abs(product)
                }
                let scale = Double(xScale) * Double(weightScale(j))
                let sum = acc + (hasBias ? bValues[j] : 0)
                exact.sums.append(sum)
                exact.spreads.append(Double(absolute) * scale + (hasBias ? abs(Double(bValues[j])) * scale : 0))
                exact.quotients.append(Double(sum) * scale / Double(yScale))
                expected.append(requantized(sum, multiplier: xScale * weightScale(j) / yScale, zero: yZero, bounds: bounds))
            }
        }
        let context = "\(matMul ? "MatMul" : "Gemm") \(rows)×\(depth)×\(outputs) \(type)→\(outputType) transB \(transB) "
            + "\(perChannel ? "per-channel" : "per-tensor")\(hasBias ? " bias" : "")"
        let x = try quantized("", type, [rows, depth], xValues)
        return try check(model, x: x, expected: expected, exact: exact, depth: depth, yScale: yScale, context).fast
    }

    func testGemmsAndMatMulsRequantizeAsQGemm() throws {
        var random = Generator(state: 106)
        assertSpread(try (0..<30).map { try checkGemm(&random, matMul: $0 % 3 == 2) })
    }
}
