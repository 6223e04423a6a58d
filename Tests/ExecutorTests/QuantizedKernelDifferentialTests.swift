@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// The fast plan's integer kernels (`QuantizedConv`, `QuantizedGemm`, on every `Int8Gemm` path
/// this CPU runs) against exact integer arithmetic computed here and against the reference plan
/// (DequantizeLinear, then the float Conv/Gemm/MatMul), on random QDQ graphs.
final class QuantizedKernelDifferentialTests: XCTestCase {
    private typealias Generator = SeededGenerator

    /// Every path of `Int8Gemm` this CPU runs.
    private var paths: [Int8Gemm.Path] { Int8Gemm.Path.allCases.filter { $0 <= Int8Gemm.supported } }

    override func tearDown() {
        Int8Gemm.path = Int8Gemm.supported
        super.tearDown()
    }

    /// A quantized tensor of `type` with `values` (each within the type's range).
    private func quantized(_ name: String, _ type: DataType, _ shape: [Int], _ values: [Int]) throws -> Tensor {
        try Tensor(name: name, converting: values.map(Double.init), to: type, shape: shape)
    }

    private struct ConvCase: CustomStringConvertible {
        var batch = 1, channels = 1, maps = 1, group = 1, height = 1, width = 1
        var kernel = [1, 1], strides = [1, 1], dilations = [1, 1], pads = [0, 0, 0, 0]
        var type = DataType.uint8, perChannel = false, hasBias = false

        var description: String {
            "N \(batch) C \(channels) M \(maps) group \(group) \(height)×\(width) k \(kernel) s \(strides) d \(dilations) p \(pads) "
                + "\(type) \(perChannel ? "per-channel" : "per-tensor")\(hasBias ? " bias" : "")"
        }
        var outHeight: Int { (height + pads[0] + pads[2] - ((kernel[0] - 1) * dilations[0] + 1)) / strides[0] + 1 }
        var outWidth: Int { (width + pads[1] + pads[3] - ((kernel[1] - 1) * dilations[1] + 1)) / strides[1] + 1 }
    }

    private func randomConv(_ random: inout Generator, pointwise: Bool, depthwise: Bool = false) -> ConvCase {
        var c = ConvCase()
        c.batch = random.int(1...2)
        c.group = depthwise ? random.int(1...8) : [1, 1, 1, 2, 3][random.int(0...4)]
        c.channels = c.group * (depthwise ? 1 : random.int(1...12))
        c.maps = c.group * (depthwise ? 1 : random.int(1...20))
        if pointwise {
            c.height = random.int(1...14)
            c.width = random.int(1...14)
        } else {
            c.kernel = [random.int(1...4), random.int(1...4)]
            c.strides = [random.int(1...3), random.int(1...3)]
            c.dilations = [random.int(1...2), random.int(1...2)]
            c.pads = (0..<4).map { _ in random.int(0...2) }
            c.height = random.int(c.kernel[0] * c.dilations[0]...14)
            c.width = random.int(c.kernel[1] * c.dilations[1]...14)
        }
        c.type = random.int(0...1) == 0 ? .uint8 : .int8
        c.perChannel = random.int(0...1) == 1
        c.hasBias = random.int(0...1) == 1
        return c
    }

    /// X (integers) → DequantizeLinear → Conv with DequantizeLinear'd int8 weights (and int32 bias);
    /// the fast output against the exact integer sum and against the reference plan.
    private func checkConv(_ c: ConvCase, _ random: inout Generator, file: StaticString = #filePath, line: UInt = #line) throws {
        let range = c.type == .uint8 ? 0...255 : -128...127
        let depth = c.channels / c.group * c.kernel[0] * c.kernel[1]
        let xValues = (0..<(c.batch * c.channels * c.height * c.width)).map { _ in random.int(range) }
        let wValues = (0..<(c.maps * depth)).map { _ in random.int(-128...127) }
        let zero = random.int(range), xScale = random.float(0.001...0.05)
        let wScales = (0..<(c.perChannel ? c.maps : 1)).map { _ in random.float(0.001...0.05) }
        let bValues = (0..<c.maps).map { _ in random.int(-5000...5000) }
        let bScales = (0..<c.maps).map { _ in random.float(0.0001...0.001) }
        var initializers = [
            try quantized("Xz", c.type, [], [zero]), GraphBuilder.tensor("Xs", [], [xScale]),
            try quantized("Wq", .int8, [c.maps, c.channels / c.group] + c.kernel, wValues),
            GraphBuilder.tensor("Ws", c.perChannel ? [c.maps] : [], wScales),
        ]
        var nodes = [
            Node(name: "dqx", opType: "DequantizeLinear", inputs: ["X", "Xs", "Xz"], outputs: ["Xd"]),
            Node(name: "dqw", opType: "DequantizeLinear", inputs: ["Wq", "Ws"], outputs: ["Wd"], attributes: [GraphBuilder.int("axis", 0)]),
        ]
        var convInputs = ["Xd", "Wd"]
        if c.hasBias {
            initializers += [try quantized("Bq", .int32, [c.maps], bValues), GraphBuilder.tensor("Bs", [c.maps], bScales)]
            nodes.append(Node(name: "dqb", opType: "DequantizeLinear", inputs: ["Bq", "Bs"], outputs: ["Bd"], attributes: [GraphBuilder.int("axis", 0)]))
            convInputs.append("Bd")
        }
        nodes.append(Node(name: "conv", opType: "Conv", inputs: convInputs, outputs: ["Y"], attributes: [
            GraphBuilder.int("group", Int64(c.group)), GraphBuilder.ints("strides", c.strides.map(Int64.init)),
            GraphBuilder.ints("dilations", c.dilations.map(Int64.init)), GraphBuilder.ints("pads", c.pads.map(Int64.init)),
        ]))
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X", c.type)], outputs: [GraphBuilder.value("Y")],
                                       initializers: initializers, opset: 13)
        let x = try quantized("", c.type, [c.batch, c.channels, c.height, c.width], xValues)
        let evaluator = try Evaluator(model: model)
        XCTAssertTrue(evaluator.fastGraph?.steps.contains { $0.kernel is QuantizedConv } == true, "\(c): no QuantizedConv", file: file, line: line)
        XCTAssertFalse(evaluator.fastGraph?.steps.contains { $0.opType == "DequantizeLinear" } ?? true,
                       "\(c): a DequantizeLinear step is left", file: file, line: line)
        let reference = try XCTUnwrap(try evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor).floatValues()

        // The exact result: Σ (x − zero)·w in integers, times the scales in double, plus the float bias.
        let (oh, ow) = (c.outHeight, c.outWidth)
        let groupChannels = c.channels / c.group, groupMaps = c.maps / c.group
        var exact = [Double](), magnitude = [Double](), spread = [Double]()
        for n in 0..<c.batch {
            for m in 0..<c.maps {
                let g = m / groupMaps
                let bias = c.hasBias ? Double(Float(Double(bValues[m]) * Double(bScales[m]))) : 0
                let scale = Double(xScale) * Double(wScales[c.perChannel ? m : 0])
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var acc = 0, absolute = 0
                        for ci in 0..<groupChannels {
                            for ky in 0..<c.kernel[0] {
                                for kx in 0..<c.kernel[1] {
                                    let iy = oy * c.strides[0] - c.pads[0] + ky * c.dilations[0]
                                    let ix = ox * c.strides[1] - c.pads[1] + kx * c.dilations[1]
                                    guard iy >= 0, iy < c.height, ix >= 0, ix < c.width else { continue }
                                    let xv = xValues[((n * c.channels + g * groupChannels + ci) * c.height + iy) * c.width + ix]
                                    let product = (xv - zero) * wValues[((m * groupChannels + ci) * c.kernel[0] + ky) * c.kernel[1] + kx]
                                    acc += product
                                    absolute += abs(product)
                                }
                            }
                        }
                        exact.append(Double(acc) * scale + bias)
                        magnitude.append(abs(Double(acc) * scale) + abs(bias))
                        spread.append(Double(absolute) * scale + abs(bias))
                    }
                }
            }
        }
        XCTAssertEqual(reference.count, exact.count, "\(c)", file: file, line: line)
        for path in paths {
            Int8Gemm.path = path
            let fast = try XCTUnwrap(try evaluator.run(tensors: ["X": x])["Y"]?.tensor)
            XCTAssertEqual(fast.shape, [c.batch, c.maps, oh, ow], "\(c) \(path)", file: file, line: line)
            let values = try fast.floatValues()
            guard values.count == exact.count else { return XCTFail("\(c) \(path): \(values.count) values", file: file, line: line) }
            // Float(acc), the combined scale, the product and the bias sum: each one rounding.
            let worst = worstRatio(values, exact, bound: magnitude.map { 4 * floatUnit * $0 })
            XCTAssertLessThanOrEqual(worst, 1, "\(c) \(path): off the exact integer result", file: file, line: line)
            assertWithinFloatSummation(values, reference, spread: spread, depth: depth, "\(c) \(path)", file: file, line: line)
        }
    }

    /// 2⁻²⁴, half a unit in the last place of a float relative to its magnitude.
    private let floatUnit: Double = 1.0 / 16_777_216

    /// The largest |value − expected| / bound (bounds of 0 count as the smallest positive double).
    private func worstRatio(_ values: [Float], _ expected: [Double], bound: [Double]) -> Double {
        var worst: Double = 0
        for index in values.indices where index < expected.count && index < bound.count {
            let difference: Double = abs(Double(values[index]) - expected[index])
            worst = max(worst, difference / max(bound[index], Double.leastNormalMagnitude))
        }
        return worst
    }

    /// The reference plan sums `depth` float products: it may be off the exact result by the
    /// summation bound (depth + 2)·2⁻²³ times the sum of the products' magnitudes (`spread`).
    private func assertWithinFloatSummation(_ values: [Float], _ reference: [Float], spread: [Double], depth: Int, _ context: String,
                                            file: StaticString, line: UInt) {
        guard values.count == reference.count, values.count == spread.count else {
            return XCTFail("\(context): \(values.count) values, \(reference.count) reference values", file: file, line: line)
        }
        let factor = Double(depth + 2) * 2 * floatUnit
        let worst = worstRatio(values, reference.map(Double.init), bound: spread.map { factor * $0 })
        XCTAssertLessThanOrEqual(worst, 1, "\(context): off the reference plan by more than float summation allows", file: file, line: line)
    }

    func testConvolutionsMatchExactIntegerArithmeticOnEveryPath() throws {
        var random = Generator(state: 11)
        for _ in 0..<60 { try checkConv(randomConv(&random, pointwise: false), &random) }
    }

    func testDepthwiseConvolutionsMatchExactIntegerArithmetic() throws {
        var random = Generator(state: 14)
        for _ in 0..<40 { try checkConv(randomConv(&random, pointwise: false, depthwise: true), &random) }
        // Unit strides take one pass per tap over the whole plane.
        for (kernel, dilations, pads) in [([3, 3], [1, 1], [1, 1, 1, 1]), ([3, 2], [2, 1], [0, 2, 1, 0]), ([1, 4], [1, 2], [0, 0, 0, 0])] {
            var c = ConvCase()
            (c.batch, c.channels, c.maps, c.group, c.height, c.width) = (2, 5, 5, 5, 14, 13)
            (c.kernel, c.dilations, c.pads, c.type, c.perChannel, c.hasBias) = (kernel, dilations, pads, .int8, true, true)
            try checkConv(c, &random)
        }
        // 3×3 kernels take the AVX-512 plane kernel on that path: unit and double strides and
        // dilations, rows in groups of four with remainders, rows wider than one vector of sixteen.
        for (strides, dilations) in [([1, 1], [1, 1]), ([2, 2], [1, 1]), ([1, 2], [2, 1]), ([2, 1], [1, 2]), ([3, 2], [1, 1])] {
            var c = ConvCase()
            (c.batch, c.channels, c.maps, c.group) = (random.int(1...2), 7, 7, 7)
            (c.height, c.width) = (random.int(5...23), random.int(5...37))
            (c.kernel, c.strides, c.dilations, c.pads) = ([3, 3], strides, dilations, (0..<4).map { _ in random.int(0...1) })
            (c.type, c.perChannel, c.hasBias) = (random.int(0...1) == 0 ? .uint8 : .int8, true, random.int(0...1) == 1)
            try checkConv(c, &random)
        }
        // Over 512 taps the float sums could round, so the integer kernel runs.
        var large = ConvCase()
        (large.batch, large.channels, large.maps, large.group, large.height, large.width) = (1, 3, 3, 3, 24, 25)
        (large.kernel, large.pads, large.type, large.perChannel, large.hasBias) = ([23, 23], [11, 11, 11, 11], .uint8, true, true)
        try checkConv(large, &random)
    }

    func testPointwiseConvolutionsMatchExactIntegerArithmeticOnEveryPath() throws {
        var random = Generator(state: 12)
        for _ in 0..<30 { try checkConv(randomConv(&random, pointwise: true), &random) }
    }

    /// Deep products (many quads of k, several column panels and row tiles) on every path.
    func testLargeConvolutionMatchesExactIntegerArithmetic() throws {
        var random = Generator(state: 13)
        var c = ConvCase()
        c.channels = 70
        c.maps = 37
        c.height = 15
        c.width = 13
        c.kernel = [3, 3]
        c.pads = [1, 1, 1, 1]
        c.type = .int8
        c.perChannel = true
        c.hasBias = true
        try checkConv(c, &random)
        c.type = .uint8
        c.kernel = [1, 1]
        c.pads = [0, 0, 0, 0]
        try checkConv(c, &random)
    }

    /// X (integers) → DequantizeLinear → Gemm or MatMul with DequantizeLinear'd int8 weights.
    private func checkGemm(_ random: inout Generator, matMul: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let rows = random.int(1...3), depth = random.int(1...300), outputs = random.int(1...40)
        let type: DataType = random.int(0...1) == 0 ? .uint8 : .int8
        let range = type == .uint8 ? 0...255 : -128...127
        let transB = !matMul && random.int(0...1) == 1
        let perChannel = random.int(0...1) == 1, hasBias = !matMul && random.int(0...1) == 1
        let alpha: Float = matMul ? 1 : [1, 0.5, 2][random.int(0...2)], beta: Float = [1, 0.25][random.int(0...1)]
        let xValues = (0..<(rows * depth)).map { _ in random.int(range) }
        let wValues = (0..<(depth * outputs)).map { _ in random.int(-128...127) }
        let zero = random.int(range), xScale = random.float(0.001...0.05)
        let wScales = (0..<(perChannel ? outputs : 1)).map { _ in random.float(0.001...0.05) }
        let bValues = (0..<outputs).map { _ in random.int(-5000...5000) }, bScale = random.float(0.0001...0.001)
        var initializers = [
            try quantized("Xz", type, [], [zero]), GraphBuilder.tensor("Xs", [], [xScale]),
            try quantized("Wq", .int8, transB ? [outputs, depth] : [depth, outputs], wValues),
            GraphBuilder.tensor("Ws", perChannel ? [outputs] : [], wScales),
        ]
        var nodes = [
            Node(name: "dqx", opType: "DequantizeLinear", inputs: ["X", "Xs", "Xz"], outputs: ["Xd"]),
            Node(name: "dqw", opType: "DequantizeLinear", inputs: ["Wq", "Ws"], outputs: ["Wd"],
                 attributes: [GraphBuilder.int("axis", transB ? 0 : 1)]),
        ]
        var inputs = ["Xd", "Wd"]
        if hasBias {
            initializers += [try quantized("Bq", .int32, [outputs], bValues), GraphBuilder.tensor("Bs", [], [bScale])]
            nodes.append(Node(name: "dqb", opType: "DequantizeLinear", inputs: ["Bq", "Bs"], outputs: ["Bd"]))
            inputs.append("Bd")
        }
        nodes.append(matMul ? Node(name: "mm", opType: "MatMul", inputs: inputs, outputs: ["Y"])
            : Node(name: "gemm", opType: "Gemm", inputs: inputs, outputs: ["Y"], attributes: [
                GraphBuilder.int("transB", transB ? 1 : 0), GraphBuilder.float("alpha", alpha), GraphBuilder.float("beta", beta)]))
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X", type)], outputs: [GraphBuilder.value("Y")],
                                       initializers: initializers, opset: 13)
        let x = try quantized("", type, [rows, depth], xValues)
        let evaluator = try Evaluator(model: model)
        let context = "\(matMul ? "MatMul" : "Gemm") \(rows)×\(depth)×\(outputs) \(type) transB \(transB) alpha \(alpha) beta \(beta) "
            + "\(perChannel ? "per-channel" : "per-tensor")\(hasBias ? " bias" : "")"
        XCTAssertTrue(evaluator.fastGraph?.steps.contains { $0.kernel is QuantizedGemm } == true, "\(context): no QuantizedGemm", file: file, line: line)
        let reference = try XCTUnwrap(try evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor).floatValues()
        var exact = [Double](), magnitude = [Double](), spread = [Double]()
        for r in 0..<rows {
            for j in 0..<outputs {
                var acc = 0, absolute = 0
                for k in 0..<depth {
                    let product = (xValues[r * depth + k] - zero) * wValues[transB ? j * depth + k : k * outputs + j]
                    acc += product
                    absolute += abs(product)
                }
                let scale = Double(alpha) * Double(xScale) * Double(wScales[perChannel ? j : 0])
                let term = Double(acc) * scale
                let bias = hasBias ? Double(beta) * Double(Float(Double(bValues[j]) * Double(bScale))) : 0
                exact.append(term + bias)
                magnitude.append(abs(term) + abs(bias))
                spread.append(Double(absolute) * scale + abs(bias))
            }
        }
        for path in paths {
            Int8Gemm.path = path
            let fast = try XCTUnwrap(try evaluator.run(tensors: ["X": x])["Y"]?.tensor)
            XCTAssertEqual(fast.shape, [rows, outputs], "\(context) \(path)", file: file, line: line)
            let values = try fast.floatValues()
            guard values.count == exact.count else { return XCTFail("\(context) \(path): \(values.count) values", file: file, line: line) }
            let worst = worstRatio(values, exact, bound: magnitude.map { 5 * floatUnit * $0 })
            XCTAssertLessThanOrEqual(worst, 1, "\(context) \(path): off the exact integer result", file: file, line: line)
            assertWithinFloatSummation(values, reference, spread: spread, depth: depth, "\(context) \(path)", file: file, line: line)
        }
    }

    func testGemmsMatchExactIntegerArithmeticOnEveryPath() throws {
        var random = Generator(state: 21)
        for _ in 0..<40 { try checkGemm(&random, matMul: false) }
    }

    func testMatMulsMatchExactIntegerArithmeticOnEveryPath() throws {
        var random = Generator(state: 22)
        for _ in 0..<20 { try checkGemm(&random, matMul: true) }
    }

    /// A quantized Conv (full, then depthwise) fused with BatchNormalization and Relu, and a
    /// QuantizeLinear reading it: the fast plan's integers against the reference plan, element for
    /// element after quantizing.
    func testConvWithBatchNormReluAndQuantizeMatchesTheReference() throws {
        var random = Generator(state: 31)
        for depthwise in [false, true] {
            let (channels, size) = (6, 9), maps = depthwise ? 6 : 10, group = depthwise ? channels : 1
            let xValues = (0..<(channels * size * size)).map { _ in random.int(-128...127) }
            let depth = channels / group * 9
            let initializers = [
                try quantized("Xz", .int8, [], [-3]), GraphBuilder.tensor("Xs", [], [0.02]),
                try quantized("Wq", .int8, [maps, channels / group, 3, 3], (0..<(maps * depth)).map { _ in random.int(-128...127) }),
                GraphBuilder.tensor("Ws", [maps], (0..<maps).map { _ in random.float(0.001...0.01) * (depthwise ? 8 : 1) }),
                GraphBuilder.tensor("s", [maps], (0..<maps).map { _ in random.float(0.5...2) }),
                GraphBuilder.tensor("t", [maps], (0..<maps).map { _ in random.float(-1...1) }),
                GraphBuilder.tensor("m", [maps], (0..<maps).map { _ in random.float(-1...1) }),
                GraphBuilder.tensor("v", [maps], (0..<maps).map { _ in random.float(0.5...2) }),
                GraphBuilder.tensor("Ys", [], [0.05]), try quantized("Yz", .uint8, [], [7]),
            ]
            let nodes = [
                Node(name: "dqx", opType: "DequantizeLinear", inputs: ["X", "Xs", "Xz"], outputs: ["Xd"]),
                Node(name: "dqw", opType: "DequantizeLinear", inputs: ["Wq", "Ws"], outputs: ["Wd"], attributes: [GraphBuilder.int("axis", 0)]),
                Node(name: "conv", opType: "Conv", inputs: ["Xd", "Wd"], outputs: ["C"],
                     attributes: [GraphBuilder.ints("pads", [1, 1, 1, 1]), GraphBuilder.int("group", Int64(group))]),
                Node(name: "bn", opType: "BatchNormalization", inputs: ["C", "s", "t", "m", "v"], outputs: ["N"]),
                Node(name: "relu", opType: "Relu", inputs: ["N"], outputs: ["R"]),
                Node(name: "q", opType: "QuantizeLinear", inputs: ["R", "Ys", "Yz"], outputs: ["Y"]),
            ]
            let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X", .int8)], outputs: [GraphBuilder.value("Y", .uint8)],
                                           initializers: initializers, opset: 13)
            let x = try quantized("", .int8, [1, channels, size, size], xValues)
            let evaluator = try Evaluator(model: model)
            let steps = evaluator.fastGraph?.steps ?? []
            XCTAssertEqual(steps.count, 1, "depthwise \(depthwise)")
            let conv = steps.first?.kernel as? QuantizedConv
            XCTAssertNotNil(conv?.prepared, "depthwise \(depthwise): the epilogue is computed when the plan is made")
            XCTAssertEqual(conv?.output?.zeroPoint, 7, "depthwise \(depthwise): the Conv runs on integers and quantizes its output")
            let reference = try XCTUnwrap(try evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor).elements(UInt8.self)
            for path in paths {
                Int8Gemm.path = path
                let fast = try XCTUnwrap(try evaluator.run(tensors: ["X": x])["Y"]?.tensor)
                XCTAssertEqual(fast.dataType, .uint8)
                let values = try fast.elements(UInt8.self)
                XCTAssertEqual(values.count, reference.count)
                // Float accumulation in the reference may round a value across a quantization step.
                let differing = zip(values, reference).filter { $0 != $1 }
                XCTAssertTrue(differing.allSatisfy { abs(Int($0) - Int($1)) == 1 }, "depthwise \(depthwise) \(path): \(differing.prefix(5))")
                XCTAssertLessThanOrEqual(differing.count, values.count / 50, "depthwise \(depthwise) \(path)")
                XCTAssertGreaterThan(Set(values).count, 20, "depthwise \(depthwise) \(path): the output should spread over many levels")
            }
        }
    }

    /// QuantizeLinear and DequantizeLinear with per-tensor parameters: the fast kernels give the
    /// reference kernels' integers and floats exactly, ties, saturation and NaN included.
    func testFastQuantizeAndDequantizeEqualTheReference() throws {
        var random = Generator(state: 41)
        for dataType in [DataType.int8, .uint8] {
            let scale: Float = 0.125, zero = dataType == .int8 ? -5 : 120
            // The specials at both ends: the vector loop takes whole blocks of 32, the scalar loop the rest.
            let specials: [Float] = [0.0625, -0.0625, 0.1875, 2.5 * 0.125, -2.5 * 0.125, 1e9, -1e9, .nan, .infinity, -.infinity]
            let values = specials + (0..<500).map { _ in random.float(-40...40) } + specials
            let initializers = [GraphBuilder.tensor("s", [], [scale]), try quantized("z", dataType, [], [zero])]
            let nodes = [Node(name: "q", opType: "QuantizeLinear", inputs: ["X", "s", "z"], outputs: ["Q"]),
                         Node(name: "dq", opType: "DequantizeLinear", inputs: ["Q", "s", "z"], outputs: ["Y"])]
            let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Q", dataType), GraphBuilder.value("Y")],
                                           initializers: initializers, opset: 13)
            let evaluator = try Evaluator(model: model)
            XCTAssertEqual(evaluator.fastGraph?.steps.map { String(describing: type(of: $0.kernel)) }, ["FastQuantizeLinear", "FastDequantizeLinear"])
            let x = GraphBuilder.tensor([values.count], values)
            let reference = try evaluator.run(tensors: ["X": x], captureIntermediates: true)
            let fast = try evaluator.run(tensors: ["X": x])
            let referenceQ = try XCTUnwrap(reference["Q"]?.tensor), fastQ = try XCTUnwrap(fast["Q"]?.tensor)
            XCTAssertEqual(fastQ.dataType, dataType)
            XCTAssertEqual(try fastQ.int64Values(), try referenceQ.int64Values(), "\(dataType)")
            XCTAssertEqual(try XCTUnwrap(fast["Y"]?.tensor).floatValues(), try XCTUnwrap(reference["Y"]?.tensor).floatValues(), "\(dataType)")
            // Ties round to even (0.5 → 0, 1.5 → 2, 2.5 → 2); ±1e9 and ±∞ saturate; NaN gives 0.
            let q = try fastQ.int64Values()
            for start in [0, q.count - specials.count] {
                let (low, high) = dataType == .int8 ? (-128, 127) : (0, 255)
                XCTAssertEqual(Array(q[start..<(start + 10)]), [zero, zero, zero + 2, zero + 2, zero - 2, high, low, 0, high, low].map(Int64.init),
                               "\(dataType) at \(start)")
            }
        }
    }

    /// QuantizeLinear → DequantizeLinear → Relu → QuantizeLinear → DequantizeLinear: the middle
    /// DequantizeLinear and QuantizeLinear run inside the Relu step, with the reference's results.
    func testQuantizeAndDequantizeStepsRunInsideTheirNeighbours() throws {
        var random = Generator(state: 51)
        let initializers = [GraphBuilder.tensor("s", [], [0.05]), try quantized("z", .int8, [], [3]),
                            GraphBuilder.tensor("t", [], [0.02]), try quantized("u", .uint8, [], [10])]
        let nodes = [Node(name: "q1", opType: "QuantizeLinear", inputs: ["X", "s", "z"], outputs: ["Q1"]),
                     Node(name: "dq1", opType: "DequantizeLinear", inputs: ["Q1", "s", "z"], outputs: ["D1"]),
                     Node(name: "relu", opType: "Relu", inputs: ["D1"], outputs: ["R"]),
                     Node(name: "q2", opType: "QuantizeLinear", inputs: ["R", "t", "u"], outputs: ["Q2"]),
                     Node(name: "dq2", opType: "DequantizeLinear", inputs: ["Q2", "t", "u"], outputs: ["Y"])]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                       initializers: initializers, opset: 13)
        let evaluator = try Evaluator(model: model)
        let kinds = evaluator.fastGraph?.steps.map { String(describing: type(of: $0.kernel)) } ?? []
        XCTAssertEqual(kinds, ["FastQuantizeLinear", "QuantizingOutput", "FastDequantizeLinear"])
        let x = GraphBuilder.tensor([3, 50], (0..<150).map { _ in random.float(-8...8) })
        let reference = try XCTUnwrap(try evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor).floatValues()
        let fast = try XCTUnwrap(try evaluator.run(tensors: ["X": x])["Y"]?.tensor).floatValues()
        XCTAssertEqual(fast, reference)
        XCTAssertEqual(fast.filter { $0 == 0 }.count, reference.filter { $0 == 0 }.count)
        XCTAssertGreaterThan(Set(fast).count, 20)
    }
}
