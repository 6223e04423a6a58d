@testable import Harness
import ModelIR
import TestSupport
import XCTest

/// The noise floor of a quantized model's outputs: an output dequantized from an integer grid may
/// differ from golden by one step (a tie rounded the other way), and by no more unless the float64
/// run shows the network amplifying such flips.
final class QuantizedNoiseFloorTests: XCTestCase {
    static let step: Float = 0.05

    /// x → QuantizeLinear/DequantizeLinear (scale `step`) → Reshape → y; x → Relu → z; x →
    /// DequantizeLinear of its per-row QuantizeLinear (two scales) → w.
    static func model() throws -> Model {
        let nodes = [
            Node(name: "q", opType: "QuantizeLinear", inputs: ["x", "scale", "zero"], outputs: ["x_q"]),
            Node(name: "dq", opType: "DequantizeLinear", inputs: ["x_q", "scale", "zero"], outputs: ["x_dq"]),
            Node(name: "flat", opType: "Reshape", inputs: ["x_dq", "shape"], outputs: ["y"]),
            Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["z"]),
            Node(name: "q_rows", opType: "QuantizeLinear", inputs: ["x", "row_scales", "row_zeros"], outputs: ["x_rows"],
                 attributes: [GraphBuilder.int("axis", 0)]),
            Node(name: "dq_rows", opType: "DequantizeLinear", inputs: ["x_rows", "row_scales", "row_zeros"], outputs: ["w"],
                 attributes: [GraphBuilder.int("axis", 0)]),
        ]
        let initializers = [
            GraphBuilder.tensor("scale", [], [step]),
            try Tensor(name: "zero", shape: [], scalars: [Int8(0)]),
            GraphBuilder.int64s("shape", [6]),
            GraphBuilder.tensor("row_scales", [2], [0.1, 0.2]),
            try Tensor(name: "row_zeros", shape: [2], scalars: [Int8(0), Int8(0)]),
        ]
        return GraphBuilder.model(nodes, inputs: [GraphBuilder.value("x", .float, [2, 3])],
                                  outputs: [GraphBuilder.value("y", .float, [6]), GraphBuilder.value("z", .float, [2, 3]),
                                            GraphBuilder.value("w", .float, [2, 3])],
                                  initializers: initializers)
    }

    func testStepIsTheScaleOfTheDequantizeLinearAnOutputComesFrom() throws {
        XCTAssertEqual(OutputQuantizationStep.steps(of: try Self.model()), ["y": Double(Self.step)],
                       "z is a float output and w is quantized per row, which has no single step")
    }

    func testMeasuredFloorCarriesTheStep() throws {
        let inputs = ["x": GraphBuilder.tensor([2, 3], [0.01, 0.26, -0.49, 1.3, -2.0, 0.7])]
        let floors = try NoiseFloorMeter().measure(fp32: try Self.model(), model: "q", inputs: inputs, file: "golden.h5")
        XCTAssertEqual(floors["y"]?.quantizationStep, Double(Self.step))
        XCTAssertNil(floors["z"]?.quantizationStep)
        XCTAssertNotNil(floors["z"])
        XCTAssertNil(floors["w"]?.quantizationStep)
    }

    /// Golden values on a grid of 0.05 whose float32 and float64 runs agree: one step off passes,
    /// two steps fail and say so.
    func testOneStepPassesTheFloorGateAndTwoStepsFail() throws {
        let golden = (0..<8).map { Double(Float($0) * Self.step) }
        var floor = NoiseFloor.measure(float32: golden, float64: golden)
        floor.quantizationStep = Double(Self.step)
        func verdict(_ offset: Float) throws -> Verdict {
            var actual = golden.map { Float($0) }
            actual[3] += offset
            let metrics = try OutputComparator.compare(name: "y", actual: actual.map(Double.init), golden: golden, shape: [8],
                                                       thresholds: Thresholds([.maxFloorRatio: 16]), noiseFloor: floor)
            XCTAssertGreaterThan(try XCTUnwrap(metrics.floorRatio), 8, "a step is far above the float32 floor")
            return Gates().verdict(for: CellResult(model: "m", path: "fp32", outputs: [metrics]))
        }
        XCTAssertEqual(try verdict(Self.step), .pass)
        let twoSteps = try verdict(2 * Self.step)
        XCTAssertEqual(twoSteps.status, .fail)
        XCTAssertTrue(twoSteps.reasons[0].contains("more than one quantization step 0.05"), twoSteps.reasons[0])

        floor.quantizationStep = nil
        let float = try OutputComparator.compare(name: "y", actual: golden.map { $0 + Double(Self.step) }, golden: golden, shape: [8],
                                                 thresholds: Thresholds([.maxFloorRatio: 16]), noiseFloor: floor)
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "m", path: "fp32", outputs: [float])).status, .fail,
                       "a float output has no step to allow")
    }

    /// A softmax quantized to 1/256 holds values of a step or two: a floor of one step is a tie,
    /// and judges the output, where the same floor on a float output is beyond rounding.
    func testFloorOfOneStepIsRoundingOnAGridOnly() {
        let step = 1.0 / 256
        let golden = [0, step, 2 * step, step]
        var floor = NoiseFloor.measure(float32: [0, step, step, step], float64: golden)
        XCTAssertFalse(floor.isMeaningful)
        floor.quantizationStep = step
        XCTAssertTrue(floor.isMeaningful)
        var amplified = NoiseFloor.measure(float32: [0, step, 2 * step, 4 * step], float64: golden)
        amplified.quantizationStep = step
        XCTAssertFalse(amplified.isMeaningful, "three steps at 150 % of the largest value are not a tie")
    }

    /// A deep int8 network's float64 run lands many steps away (its floor cannot judge), yet a run
    /// that reproduces golden within one step passes; two steps off still fail, on the floor's reason.
    func testWithinOneStepPassesWhereTheFloorCannotJudge() throws {
        let step = 0.05
        let golden = (0..<8).map { Double($0) * step }
        var floor = NoiseFloor.measure(float32: golden, float64: golden.map { $0 + 6 * step })
        floor.quantizationStep = step
        XCTAssertFalse(floor.isMeaningful)
        func verdict(_ offset: Double) throws -> Verdict {
            var actual = golden
            actual[3] += offset
            let metrics = try OutputComparator.compare(name: "y", actual: actual, golden: golden, shape: [8],
                                                       thresholds: Thresholds([.maxFloorRatio: 16]), noiseFloor: floor)
            return Gates().verdict(for: CellResult(model: "m", path: "fp32", outputs: [metrics]))
        }
        XCTAssertEqual(try verdict(0), .pass)
        XCTAssertEqual(try verdict(step), .pass)
        let twoSteps = try verdict(2 * step)
        XCTAssertEqual(twoSteps.status, .fail)
        XCTAssertTrue(twoSteps.reasons[0].contains("disagree beyond rounding"), twoSteps.reasons[0])
    }
}
