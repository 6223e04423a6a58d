@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// The fast plan (constant steps computed once, Conv fused with BatchNormalization and Relu/Clip,
/// depthwise and im2col kernels) against the step-by-step reference kernels, on random shapes.
/// A run that captures intermediates takes the reference plan; a plain run takes the fast one,
/// whose convolutions run channels-last on oneDNN (`ChannelsLastConv`) or, with that off,
/// channels-first (`FusedConv`): every random case runs both ways.
final class FastConvDifferentialTests: XCTestCase {
    private typealias Generator = SeededGenerator

    private enum Epilogue: CaseIterable { case none, relu, batchNorm, batchNormRelu, clip }

    /// Builds Conv (+ epilogue) with constant weights, runs it both ways and compares.
    /// `kernels`, `maxSize` and `maxPad` bound the kernel sides, the plane sides and each of the four pads;
    /// `rtol` and `atol` the difference allowed.
    private func check(_ random: inout Generator, depthwise: Bool, epilogue: Epilogue, kernels: ClosedRange<Int> = 1...4,
                       maxSize: Int = 12, maxPad: Int = 2, rtol: Float = 1e-4, atol: Float = 1e-5,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let batch = random.int(1...2)
        let group = depthwise ? random.int(1...6) : [1, 1, 2, 3][random.int(0...3)]
        let channels = depthwise ? group : group * random.int(1...4)
        let maps = depthwise ? group : group * random.int(1...5)
        let kernel = [random.int(kernels), random.int(kernels)]
        let strides = [random.int(1...3), random.int(1...3)]
        let dilations = [random.int(1...2), random.int(1...2)]
        let pads = (0..<4).map { _ in random.int(0...maxPad) }
        let height = random.int(kernel[0] * dilations[0]...maxSize), width = random.int(kernel[1] * dilations[1]...maxSize)
        let x = GraphBuilder.tensor([batch, channels, height, width], random.floats(batch * channels * height * width))
        let w = GraphBuilder.tensor("W", [maps, channels / group] + kernel, random.floats(maps * channels / group * kernel[0] * kernel[1]))
        let hasBias = random.int(0...1) == 1
        var initializers = [w]
        var convInputs = ["X", "W"]
        if hasBias {
            initializers.append(GraphBuilder.tensor("B", [maps], random.floats(maps)))
            convInputs.append("B")
        }
        var nodes = [Node(name: "conv", opType: "Conv", inputs: convInputs, outputs: ["C"], attributes: [
            GraphBuilder.int("group", Int64(group)), GraphBuilder.ints("strides", strides.map(Int64.init)),
            GraphBuilder.ints("dilations", dilations.map(Int64.init)), GraphBuilder.ints("pads", pads.map(Int64.init)),
        ])]
        let last = GraphBuilder.convEpilogue(after: "C", maps: maps, batchNorm: epilogue == .batchNorm || epilogue == .batchNormRelu,
                                             relu: epilogue == .relu || epilogue == .batchNormRelu, clip: epilogue == .clip,
                                             random: &random, nodes: &nodes, initializers: &initializers)
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value(last)],
                                       initializers: initializers, opset: 13)
        let saved = ChannelsLastConv.isEnabled
        defer { ChannelsLastConv.isEnabled = saved }
        for channelsLast in [true, false] {
            ChannelsLastConv.isEnabled = channelsLast
            let evaluator = try Evaluator(model: model)
            let reference = try evaluator.run(tensors: ["X": x], captureIntermediates: true)
            let profile = ExecutionProfile()
            let fast = try evaluator.run(["X": .tensor(x)], profile: profile)
            let kernelName = channelsLast ? "ChannelsLastConv" : "FusedConv"
            XCTAssertTrue(profile.entries.contains { $0.kernel == kernelName }, "the fast plan runs \(kernelName)", file: file, line: line)
            guard let expected = reference[last]?.tensor, let actual = fast[last]?.tensor else {
                return XCTFail("no output '\(last)'", file: file, line: line)
            }
            let context = "\(kernelName) threads \(ExecutorThreads.count) group \(group) C \(channels) M \(maps) k \(kernel) s \(strides) d \(dilations) p \(pads) \(height)×\(width) \(epilogue)"
            XCTAssertEqual(actual.shape, expected.shape, context, file: file, line: line)
            assertClose(try actual.floatValues(), try expected.floatValues(), rtol: rtol, atol: atol, context, file: file, line: line)
        }
    }

    func testGroupedAndDenseConvolutionsMatchTheReference() throws {
        var random = Generator(state: 1)
        for index in 0..<120 {
            try check(&random, depthwise: false, epilogue: Epilogue.allCases[index % Epilogue.allCases.count])
        }
    }

    func testDepthwiseConvolutionsMatchTheReference() throws {
        var random = Generator(state: 2)
        for index in 0..<120 {
            try check(&random, depthwise: true, epilogue: Epilogue.allCases[index % Epilogue.allCases.count])
        }
    }

    /// Depthwise planes from 1×1 to 60×60, kernels 1–5, strides 1–3, dilations 1–2 and asymmetric
    /// pads up to 3, with every epilogue, on one and two threads.
    func testDepthwiseConvolutionsOnLargePlanesMatchTheReference() throws {
        defer { ExecutorThreads.set(1) }
        var random = Generator(state: 5)
        for index in 0..<160 {
            ExecutorThreads.set(1 + index % 2)
            try check(&random, depthwise: true, epilogue: Epilogue.allCases[index % Epilogue.allCases.count], kernels: 1...5,
                      maxSize: 60, maxPad: 3, rtol: 1e-5, atol: 1e-5)
        }
    }

    /// A 3×3 stride-2 depthwise convolution with pads 1, checked by hand: each output sums the
    /// inputs under the taps that fall inside the 3×3 plane (weights w0…w8 = 1…9 in reading order).
    func testStrideTwoDepthwiseConvolutionByHand() throws {
        let model = GraphBuilder.model([Node(name: "conv", opType: "Conv", inputs: ["X", "W"], outputs: ["Y"], attributes: [
            GraphBuilder.int("group", 1), GraphBuilder.ints("strides", [2, 2]), GraphBuilder.ints("pads", [1, 1, 1, 1]),
        ])], inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
        initializers: [GraphBuilder.tensor("W", [1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9])], opset: 13)
        let x = GraphBuilder.tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let profile = ExecutionProfile()
        let y = try XCTUnwrap(Evaluator(model: model).run(["X": .tensor(x)], profile: profile)["Y"]?.tensor)
        XCTAssertEqual(profile.entries.map(\.kernel).filter { $0.hasSuffix("Conv") }, [ChannelsLastConv.isEnabled ? "ChannelsLastConv" : "FusedConv"])
        XCTAssertEqual(y.shape, [1, 1, 2, 2])
        // Output (oy, ox) reads rows 2·oy − 1 + ky and columns 2·ox − 1 + kx.
        // (0,0): w4·x00 + w5·x01 + w7·x10 + w8·x11 = 5 + 12 + 32 + 45 = 94
        // (0,1): w3·x01 + w4·x02 + w6·x11 + w7·x12 = 8 + 15 + 35 + 48 = 106
        // (1,0): w1·x10 + w2·x11 + w4·x20 + w5·x21 = 8 + 15 + 35 + 48 = 106
        // (1,1): w0·x11 + w1·x12 + w3·x21 + w4·x22 = 5 + 12 + 32 + 45 = 94
        XCTAssertEqual(try y.floatValues(), [94, 106, 106, 94])
    }

    /// A 1×1 unit-stride convolution multiplies the input directly; checked by hand.
    func testPointwiseConvolutionWithBatchNormAndReluByHand() throws {
        let nodes = [Node(name: "conv", opType: "Conv", inputs: ["X", "W", "B"], outputs: ["C"]),
                     Node(name: "bn", opType: "BatchNormalization", inputs: ["C", "s", "t", "m", "v"], outputs: ["N"]),
                     Node(name: "relu", opType: "Relu", inputs: ["N"], outputs: ["R"])]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("R")], initializers: [
            GraphBuilder.tensor("W", [2, 2, 1, 1], [1, 2, -1, 0]), GraphBuilder.tensor("B", [2], [1, 0]),
            GraphBuilder.tensor("s", [2], [2, 1]), GraphBuilder.tensor("t", [2], [0, 1]),
            GraphBuilder.tensor("m", [2], [1, 0]), GraphBuilder.tensor("v", [2], [1, 1]),
        ], opset: 13)
        let x = GraphBuilder.tensor([1, 2, 1, 2], [1, 2, 3, -4])
        let y = try Evaluator(model: model).run(tensors: ["X": x])["R"]?.tensor
        // conv: map 0 = x0 + 2·x1 + 1 = [8, -5], map 1 = −x0 = [−1, −2]
        // bn (eps 1e-5): map 0 = 2·(c − 1)/√(1+ε) = [14, −12], map 1 = c/√(1+ε) + 1 = [5e-6, −1]; relu: [14, 0, 5e-6, 0]
        assertClose(try XCTUnwrap(y).floatValues(), [14, 0, 5e-6, 0], rtol: 1e-4, atol: 1e-7)
    }

    func testPoolsMatchTheReference() throws {
        var random = Generator(state: 3)
        for index in 0..<160 {
            let op = index % 2 == 0 ? "MaxPool" : "AveragePool"
            let kernel = [random.int(1...3), random.int(1...3)]
            let strides = [random.int(1...2), random.int(1...2)]
            let pads = [random.int(0...kernel[0] - 1), random.int(0...kernel[1] - 1), random.int(0...kernel[0] - 1), random.int(0...kernel[1] - 1)]
            let height = random.int(kernel[0]...9), width = random.int(kernel[1]...9), channels = random.int(1...3)
            var attributes = [GraphBuilder.ints("kernel_shape", kernel.map(Int64.init)), GraphBuilder.ints("strides", strides.map(Int64.init)),
                              GraphBuilder.ints("pads", pads.map(Int64.init)), GraphBuilder.int("ceil_mode", Int64(random.int(0...1)))]
            if op == "AveragePool" { attributes.append(GraphBuilder.int("count_include_pad", Int64(random.int(0...1)))) }
            let model = GraphBuilder.model([Node(name: "pool", opType: op, inputs: ["X"], outputs: ["Y"], attributes: attributes)],
                                           inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], opset: 13)
            let x = GraphBuilder.tensor([1, channels, height, width], random.floats(channels * height * width))
            let evaluator = try Evaluator(model: model)
            let expected = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor)
            let actual = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor)
            let context = "\(op) k \(kernel) s \(strides) p \(pads) \(height)×\(width)"
            XCTAssertEqual(actual.shape, expected.shape, context)
            assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-5, atol: 1e-6, context)
        }
    }

    /// With two threads, large products are split by column or row blocks; both must match.
    func testTwoThreadsSplitProductsLikeOneThread() throws {
        ExecutorThreads.set(2)
        defer { ExecutorThreads.set(1) }
        var random = Generator(state: 4)
        for (channels, maps, size, kernel, group) in [(32, 48, 17, 3, 1), (64, 40, 5, 1, 1), (24, 24, 20, 3, 24), (48, 96, 9, 3, 2)] {
            let x = GraphBuilder.tensor([1, channels, size, size], random.floats(channels * size * size))
            let w = GraphBuilder.tensor("W", [maps, channels / group, kernel, kernel], random.floats(maps * channels / group * kernel * kernel))
            let pads = Int64(kernel / 2)
            let model = GraphBuilder.model([
                Node(name: "conv", opType: "Conv", inputs: ["X", "W"], outputs: ["C"],
                     attributes: [GraphBuilder.int("group", Int64(group)), GraphBuilder.ints("pads", [pads, pads, pads, pads])]),
                Node(name: "relu", opType: "Relu", inputs: ["C"], outputs: ["Y"]),
            ], inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], initializers: [w], opset: 13)
            let evaluator = try Evaluator(model: model)
            let expected = try XCTUnwrap(evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor)
            let actual = try XCTUnwrap(evaluator.run(tensors: ["X": x])["Y"]?.tensor)
            assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-4, atol: 1e-4, "C \(channels) M \(maps) \(size)² k \(kernel) g \(group)")
        }
    }
}
