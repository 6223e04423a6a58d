@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// `FloatConvGemm` (packed weights, fused im2col, AVX-512 micro-kernel and epilogue) against the
/// reference plan's `Conv_1`, BatchNormalization, Relu and Clip, on random shapes that cover
/// partial row and column panels, several K blocks and row blocks, asymmetric padding, dilation,
/// strides, groups and one and two threads. Skipped on CPUs without AVX-512, where convolutions
/// keep `Im2col` and `sgemm` (covered by `FastConvDifferentialTests`). Each case then runs again
/// channels-last (`ChannelsLastConv` on a oneDNN primitive) against the same reference.
final class FloatConvKernelDifferentialTests: XCTestCase {
    private typealias Generator = SeededGenerator

    private enum Epilogue: CaseIterable { case none, bias, relu, batchNorm, batchNormRelu, clip }

    private struct Case {
        var batch = 1, group = 1, channels = 1, maps = 1
        var kernel = [1, 1], strides = [1, 1], dilations = [1, 1], pads = [0, 0, 0, 0]
        var height = 1, width = 1
        var epilogue = Epilogue.none

        var depth: Int { channels / group * kernel[0] * kernel[1] }
        var description: String {
            "N \(batch) group \(group) C \(channels) M \(maps) k \(kernel) s \(strides) d \(dilations) p \(pads) \(height)×\(width) \(epilogue)"
        }
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(FloatConvGemm.isEnabled, "this CPU runs convolutions on Im2col and sgemm")
    }

    override func tearDown() {
        ExecutorThreads.set(1)
        ChannelsLastConv.isEnabled = true
        super.tearDown()
    }

    /// Builds Conv (+ epilogue) with constant weights, checks the fast plan prepared it for
    /// `FloatConvGemm`, runs it both ways and compares.
    private func check(_ c: Case, _ random: inout Generator, file: StaticString = #filePath, line: UInt = #line) throws {
        let x = GraphBuilder.tensor([c.batch, c.channels, c.height, c.width], random.floats(c.batch * c.channels * c.height * c.width))
        let w = GraphBuilder.tensor("W", [c.maps, c.channels / c.group] + c.kernel, random.floats(c.maps * c.depth))
        var initializers = [w]
        var convInputs = ["X", "W"]
        if c.epilogue != .none && c.epilogue != .relu {
            initializers.append(GraphBuilder.tensor("B", [c.maps], random.floats(c.maps)))
            convInputs.append("B")
        }
        var nodes = [Node(name: "conv", opType: "Conv", inputs: convInputs, outputs: ["C"], attributes: [
            GraphBuilder.int("group", Int64(c.group)), GraphBuilder.ints("strides", c.strides.map(Int64.init)),
            GraphBuilder.ints("dilations", c.dilations.map(Int64.init)), GraphBuilder.ints("pads", c.pads.map(Int64.init)),
        ])]
        let last = GraphBuilder.convEpilogue(after: "C", maps: c.maps, batchNorm: c.epilogue == .batchNorm || c.epilogue == .batchNormRelu,
                                             relu: c.epilogue == .relu || c.epilogue == .batchNormRelu, clip: c.epilogue == .clip,
                                             random: &random, nodes: &nodes, initializers: &initializers)
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value(last)],
                                       initializers: initializers, opset: 13)
        ChannelsLastConv.isEnabled = false
        let evaluator = try Evaluator(model: model)
        let plan = try XCTUnwrap(evaluator.fastGraph, c.description, file: file, line: line)
        let conv = try XCTUnwrap(plan.steps.compactMap { $0.kernel as? FusedConv }.first, c.description, file: file, line: line)
        if c.group == 1 || c.depth >= FusedConv.minimumGroupedDepth {
            XCTAssertNotNil(conv.prepared, "weights not packed: \(c.description)", file: file, line: line)
        } else {
            XCTAssertNil(conv.prepared, "a shallow grouped product stays on OpenBLAS: \(c.description)", file: file, line: line)
        }
        let reference = try evaluator.run(tensors: ["X": x], captureIntermediates: true)
        let fast = try evaluator.run(tensors: ["X": x])
        guard let expected = reference[last]?.tensor, let actual = fast[last]?.tensor else {
            return XCTFail("no output '\(last)'", file: file, line: line)
        }
        XCTAssertEqual(actual.shape, expected.shape, c.description, file: file, line: line)
        assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-4, atol: 2e-6 * Float(c.depth).squareRoot(),
                    c.description, file: file, line: line)

        ChannelsLastConv.isEnabled = true
        let channelsLastEvaluator = try Evaluator(model: model)
        let channelsLast = try XCTUnwrap(channelsLastEvaluator.run(tensors: ["X": x])[last]?.tensor, c.description, file: file, line: line)
        let converted = try XCTUnwrap(channelsLastEvaluator.fastGraph?.steps.compactMap { $0.kernel as? ChannelsLastConv }.first,
                                      c.description, file: file, line: line)
        XCTAssertEqual(converted.implementations.count, 1, "oneDNN primitive: \(c.description)", file: file, line: line)
        XCTAssertEqual(channelsLast.shape, expected.shape, c.description, file: file, line: line)
        assertClose(try channelsLast.floatValues(), try expected.floatValues(), rtol: 1e-4, atol: 2e-6 * Float(c.depth).squareRoot(),
                    "channels-last \(c.description)", file: file, line: line)
    }

    /// A random convolution of at most about `budget` multiply-adds.
    private func randomCase(_ random: inout Generator, index: Int, budget: Int = 1_500_000) -> Case {
        var c = Case()
        c.group = [1, 1, 1, 2, 3, 4][random.int(0...5)]
        c.channels = c.group * max(1, random.int(1...70) / c.group)
        c.maps = c.group * max(1, random.int(1...70) / c.group)
        c.kernel = [random.int(1...7), random.int(1...7)]
        c.strides = [random.int(1...3), random.int(1...3)]
        c.dilations = [random.int(1...2), random.int(1...2)]
        c.pads = (0..<4).map { _ in random.int(0...3) }
        c.batch = random.int(1...4) == 1 ? 2 : 1
        c.epilogue = Epilogue.allCases[index % Epilogue.allCases.count]
        let extent = [0, 1].map { (c.kernel[$0] - 1) * c.dilations[$0] + 1 }
        c.height = random.int(max(1, extent[0] - c.pads[0] - c.pads[2])...40)
        c.width = random.int(max(1, extent[1] - c.pads[1] - c.pads[3])...40)
        let minimum = [0, 1].map { max(1, extent[$0] - c.pads[$0] - c.pads[$0 + 2]) }
        while c.batch * c.maps * c.depth * c.height * c.width / (c.strides[0] * c.strides[1]) > budget,
              c.height > minimum[0] || c.width > minimum[1] {
            c.height = max(minimum[0], c.height * 3 / 4)
            c.width = max(minimum[1], c.width * 3 / 4)
        }
        return c
    }

    func testRandomConvolutionsOnOneThreadMatchTheReference() throws {
        var random = Generator(state: 11)
        for index in 0..<60 { try check(randomCase(&random, index: index), &random) }
    }

    func testRandomConvolutionsOnTwoThreadsMatchTheReference() throws {
        ExecutorThreads.set(2)
        var random = Generator(state: 12)
        for index in 0..<60 { try check(randomCase(&random, index: index), &random) }
    }

    /// Pointwise (1×1, unit stride, unpadded) convolutions read the input as B directly; grouped
    /// ones as shufflenet has them (shallow, left to OpenBLAS) and deeper ones, and planes whose
    /// position count is not a multiple of 32.
    func testPointwiseAndGroupedPointwiseConvolutionsMatchTheReference() throws {
        var random = Generator(state: 13)
        for (index, (channels, maps, size, group)) in [(24, 60, 28, 3), (240, 60, 7, 3), (70, 13, 1, 1), (3, 70, 33, 1), (64, 64, 40, 4), (384, 96, 14, 3), (512, 64, 9, 4)].enumerated() {
            for threads in [1, 2] {
                ExecutorThreads.set(threads)
                var c = Case()
                (c.channels, c.maps, c.height, c.width, c.group) = (channels, maps, size, size, group)
                c.epilogue = Epilogue.allCases[index % Epilogue.allCases.count]
                try check(c, &random)
            }
        }
    }

    /// Depths above one K block (256) accumulate in the output between blocks; 700 maps at depth
    /// 300 (two K blocks of 150) split the rows into two blocks of at most 640; on one and two threads.
    func testDeepProductsAndManyMapsMatchTheReference() throws {
        var random = Generator(state: 14)
        let cases: [(channels: Int, maps: Int, size: Int, kernel: Int)] = [(64, 70, 12, 3), (300, 700, 5, 1), (70, 20, 9, 5), (129, 29, 6, 2)]
        for (index, shape) in cases.enumerated() {
            for threads in [1, 2] {
                ExecutorThreads.set(threads)
                var c = Case()
                (c.channels, c.maps, c.height, c.width) = (shape.channels, shape.maps, shape.size, shape.size)
                c.kernel = [shape.kernel, shape.kernel]
                c.pads = [shape.kernel / 2, shape.kernel / 2, (shape.kernel - 1) / 2, shape.kernel / 2]
                c.epilogue = Epilogue.allCases[(index + threads) % Epilogue.allCases.count]
                try check(c, &random)
            }
        }
    }
}
