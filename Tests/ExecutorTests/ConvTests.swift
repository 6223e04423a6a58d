import Executor
import ModelIR
import TestSupport
import XCTest

final class ConvTests: XCTestCase {
    private func conv(_ x: Tensor, _ w: Tensor, bias: Tensor? = nil, attributes: [Attribute] = []) throws -> (shape: [Int], values: [Float]) {
        var inputs = [GraphBuilder.value("X"), GraphBuilder.value("W")]
        var names = ["X", "W"]
        if bias != nil { inputs.append(GraphBuilder.value("B")); names.append("B") }
        let model = GraphBuilder.model([Node(name: "conv", opType: "Conv", inputs: names, outputs: ["Y"], attributes: attributes)],
                                       inputs: inputs, outputs: [GraphBuilder.value("Y")])
        var feeds = ["X": x, "W": w]
        if let bias { feeds["B"] = bias }
        return try runFloats(model, feeds)
    }

    /// A 2×2 kernel over a 3×3 image, worked out by hand.
    func testTwoByTwoKernelByHand() throws {
        let x = GraphBuilder.tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let w = GraphBuilder.tensor([1, 1, 2, 2], [1, 0, 0, 1])
        let (shape, values) = try conv(x, w)
        XCTAssertEqual(shape, [1, 1, 2, 2])
        // 1+5, 2+6, 4+8, 5+9
        assertClose(values, [6, 8, 12, 14])
    }

    func testBiasPaddingAndStride() throws {
        let x = GraphBuilder.tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let w = GraphBuilder.tensor([1, 1, 2, 2], [1, 2, 3, 4])
        let (shape, values) = try conv(x, w, bias: GraphBuilder.tensor([1], [10]),
                                       attributes: [GraphBuilder.ints("pads", [1, 1, 1, 1]), GraphBuilder.ints("strides", [2, 2])])
        XCTAssertEqual(shape, [1, 1, 2, 2])
        // Windows at (-1,-1), (-1,1), (1,-1), (1,1) of the padded image:
        // [0 0; 0 1]·w = 4, [0 0; 2 3]·w = 3·2+4·3 = 18, [0 4; 0 7]·w = 2·4+4·7 = 36, [5 6; 8 9]·w = 5+12+24+36 = 77
        assertClose(values, [14, 28, 46, 87])
    }

    func testGroupedConvolutionKeepsChannelsApart() throws {
        let x = GraphBuilder.tensor([1, 2, 2, 2], [1, 2, 3, 4, 10, 20, 30, 40])
        let w = GraphBuilder.tensor([2, 1, 1, 1], [2, -1])
        let (shape, values) = try conv(x, w, attributes: [GraphBuilder.int("group", 2)])
        XCTAssertEqual(shape, [1, 2, 2, 2])
        assertClose(values, [2, 4, 6, 8, -10, -20, -30, -40])
    }

    func testSamePaddingAndOneDimensionalInput() throws {
        let x = GraphBuilder.tensor([1, 1, 5], [1, 2, 3, 4, 5])
        let w = GraphBuilder.tensor([1, 1, 3], [1, 1, 1])
        let (shape, values) = try conv(x, w, attributes: [Attribute(name: "auto_pad", value: .string(Array("SAME_UPPER".utf8)))])
        XCTAssertEqual(shape, [1, 1, 5])
        assertClose(values, [3, 6, 9, 12, 9])
    }
}
