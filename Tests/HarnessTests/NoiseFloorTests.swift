import Foundation
@testable import Harness
import ModelFormats
import ModelIR
import TestSupport
import Passes
import XCTest

/// The noise floor: a float32 graph against the same graph in float64, and the `max_floor_ratio`
/// gate the lossless paths are judged by.
final class NoiseFloorTests: XCTestCase {
    static let terms = 48, samples = 4, width = 32

    /// y = (((x0 + x1) + x2) + …): one `Add` per term, each a single float32 rounding, so the
    /// float32 result is known exactly whatever the executor's summation strategy.
    static func chainModel(terms: Int = terms, width: Int = width, scaleTerm: (index: Int, factor: Float)? = nil) -> Model {
        var nodes: [Node] = []
        var initializers: [Tensor] = []
        var sum = "x0"
        for k in 1..<terms {
            var term = "x\(k)"
            if let scaleTerm, scaleTerm.index == k {
                initializers.append(GraphBuilder.tensor("factor", [], [scaleTerm.factor]))
                nodes.append(Node(name: "scale_\(k)", opType: "Mul", inputs: [term, "factor"], outputs: ["x\(k)_scaled"]))
                term = "x\(k)_scaled"
            }
            let output = k == terms - 1 ? "y" : "s\(k)"
            nodes.append(Node(name: "add_\(k)", opType: "Add", inputs: [sum, term], outputs: [output]))
            sum = output
        }
        return GraphBuilder.model(nodes, inputs: (0..<terms).map { GraphBuilder.value("x\($0)", .float, [samples, width]) },
                                  outputs: [GraphBuilder.value("y", .float, [samples, width])], initializers: initializers)
    }

    /// Terms of mixed magnitude: term k has magnitude 10^(k mod 7 − 3), from 1e-3 to 1e3, random sign.
    static func termValues() -> [[Float]] {
        var random = SeededGenerator(state: 20261206)
        return (0..<terms).map { k in
            let magnitude = Float(pow(10.0, Double(k % 7 - 3)))
            return (0..<samples * width).map { _ in random.float() * magnitude }
        }
    }

    static func feeds(_ values: [[Float]]) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: values.enumerated().map { ("x\($0.offset)", GraphBuilder.tensor([samples, width], $0.element)) })
    }

    /// The chain summed left to right in float32 and in float64.
    static func sums(_ values: [[Float]]) -> (float32: [Float], float64: [Double]) {
        var single = values[0], double = values[0].map(Double.init)
        for term in values.dropFirst() {
            for i in single.indices {
                single[i] += term[i]
                double[i] += Double(term[i])
            }
        }
        return (single, double)
    }

    func testFloorOfAMixedMagnitudeSumIsItsFloat32RoundingError() throws {
        let values = Self.termValues()
        let (single, double) = Self.sums(values)
        var expectedMax = 0.0, expectedSquares = 0.0
        for (s, d) in zip(single, double) {
            expectedMax = max(expectedMax, abs(Double(s) - d))
            expectedSquares += (Double(s) - d) * (Double(s) - d)
        }
        XCTAssertGreaterThan(expectedMax, 1e-6, "the sum of mixed magnitudes loses float32 digits")

        let floors = try NoiseFloorMeter().measure(fp32: Self.chainModel(), model: "chain", inputs: Self.feeds(values), file: "test")
        let floor = try XCTUnwrap(floors["y"])
        XCTAssertEqual(floor.maxAbsError, expectedMax, "exactly the float32 rounding of the chain")
        XCTAssertEqual(floor.rmsError, (expectedSquares / Double(single.count)).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(floor.scale, double.map(abs).max() ?? 0)
        XCTAssertEqual(floor.elementCount, Self.samples * Self.width)
        XCTAssertEqual(floor.allowance, max(expectedMax, floor.scale * 0x1p-23))
        XCTAssertNil(floor.goldenDistance, "no golden outputs given")

        let golden = GraphBuilder.tensor([Self.samples, Self.width], single.enumerated().map { $0.offset == 5 ? $0.element + 0.5 : $0.element })
        let withGolden = try NoiseFloorMeter().measure(fp32: Self.chainModel(), model: "chain", inputs: Self.feeds(values), file: "test",
                                                       golden: ["y": golden])
        XCTAssertEqual(try XCTUnwrap(withGolden["y"]?.goldenDistance), max(expectedMax, abs(Double(single[5] + 0.5) - double[5])),
                       "the golden values' distance from the float64 run")
        XCTAssertEqual(withGolden["y"]?.maxAbsError, expectedMax, "the floor itself does not change")
    }

    func testFloorOfAnExactGraphIsOneRoundingOfItsLargestValue() {
        let floor = NoiseFloor.measure(float32: [1, -4, 0.5], float64: [1, -4, 0.5])
        XCTAssertEqual(floor.maxAbsError, 0)
        XCTAssertEqual(floor.snrDB, .infinity)
        XCTAssertEqual(floor.allowance, 4 * 0x1p-23)
        let overflow = NoiseFloor.measure(float32: [.infinity, 1], float64: [.infinity, 1])
        XCTAssertEqual(overflow.maxAbsError, 0, "both overflow the same way")
        XCTAssertEqual(NoiseFloor.measure(float32: [.infinity, 1], float64: [1e38, 1]).allowance, .infinity)
    }

    /// A difference from golden just below `max_floor_ratio` floors passes, just above it fails and
    /// says by how much.
    func testBugJustAboveTheFloorFailsAndNoiseJustBelowPasses() throws {
        let values = Self.termValues()
        let (single, double) = Self.sums(values)
        let floor = NoiseFloor.measure(float32: single.map(Double.init), float64: double)
        let golden = double.map { Double(Float($0)) }
        let thresholds = OptimizationPath.Component.fp32.defaultThresholds
        XCTAssertEqual(thresholds, Thresholds([.maxFloorRatio: 16]))

        func verdict(offset: Double) throws -> (Verdict, OutputMetrics) {
            var actual = golden
            actual[17] += offset
            let metrics = try OutputComparator.compare(name: "y", actual: actual, golden: golden, shape: [Self.samples, Self.width],
                                                       thresholds: thresholds, noiseFloor: floor)
            return (Gates().verdict(for: CellResult(model: "chain", path: "fp32", outputs: [metrics])), metrics)
        }
        let (noise, noiseMetrics) = try verdict(offset: 15.9 * floor.allowance)
        XCTAssertEqual(noise, .pass)
        XCTAssertEqual(try XCTUnwrap(noiseMetrics.floorRatio), 15.9, accuracy: 1e-6)
        let (bug, bugMetrics) = try verdict(offset: -16.2 * floor.allowance)
        XCTAssertEqual(try XCTUnwrap(bugMetrics.floorRatio), 16.2, accuracy: 1e-6)
        XCTAssertEqual(bug.status, .fail)
        XCTAssertEqual(bug.reasons, ["output 'y': max abs error \(Gates.number(16.2 * floor.allowance)) is 16.2× the noise floor "
                                     + "\(Gates.number(floor.allowance)) (allowed 16×, so 1.01× over)"])

        // A golden that the graph's own float64 run is as far from: the graph, not its execution, differs.
        var far = floor
        far.goldenDistance = 40 * floor.allowance
        let farMetrics = try OutputComparator.compare(name: "y", actual: golden.enumerated().map { $0.offset == 17 ? $0.element - 16.2 * floor.allowance : $0.element },
                                                      golden: golden, shape: [Self.samples, Self.width], thresholds: thresholds, noiseFloor: far)
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "chain", path: "fp32", outputs: [farMetrics])).reasons,
                       [bug.reasons[0] + "; the fp32 graph's float64 run is \(Gates.number(40 * floor.allowance)) from the golden too (40× the floor): "
                        + "the graph itself, not float32 execution, differs from what produced the golden (an export that does not reproduce its "
                        + "framework, or another model's golden)"])
        var near = floor
        near.goldenDistance = floor.allowance
        let nearMetrics = try OutputComparator.compare(name: "y", actual: golden.enumerated().map { $0.offset == 17 ? $0.element - 16.2 * floor.allowance : $0.element },
                                                       golden: golden, shape: [Self.samples, Self.width], thresholds: thresholds, noiseFloor: near)
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "chain", path: "fp32", outputs: [nearMetrics])).reasons, bug.reasons,
                       "a golden as close to float64 as the floor: the error is this execution's")

        // The float32 chain itself is a correct execution: within the floor of the exact result.
        let own = try OutputComparator.compare(name: "y", actual: single.map(Double.init), golden: golden, shape: [Self.samples, Self.width],
                                               thresholds: thresholds, noiseFloor: floor)
        XCTAssertLessThanOrEqual(try XCTUnwrap(own.floorRatio), 1.0001)
    }

    func testMissingOrInfiniteFloorFailsTheGateWithWhatToDo() throws {
        let metrics = try OutputComparator.compare(name: "y", actual: [1, 2], golden: [1, 2], shape: [2], thresholds: Thresholds([.maxFloorRatio: 16]))
        let missing = Gates().verdict(for: CellResult(model: "m", path: "fp32", outputs: [metrics]))
        XCTAssertEqual(missing.status, .fail)
        XCTAssertTrue(missing.reasons[0].contains("noise floor was not measured"), missing.reasons[0])
        XCTAssertTrue(missing.reasons[0].contains("set rtol/atol or max_abs_error"), missing.reasons[0])
        let infinite = try OutputComparator.compare(name: "y", actual: [1, 2], golden: [1, 2], shape: [2], thresholds: Thresholds([.maxFloorRatio: 16]),
                                                    noiseFloor: NoiseFloor.measure(float32: [.infinity, 2], float64: [1e38, 2]))
        XCTAssertTrue(Gates().verdict(for: CellResult(model: "m", path: "fp32", outputs: [infinite])).reasons[0].contains("not finite"))
    }

    /// A floor that is a large share of the output's values measures a discrete disagreement
    /// between the float32 and float64 runs (reordered detections), not rounding: the gate says so
    /// and fails instead of allowing errors of that size; a floor of rounding size judges as usual.
    func testFloorBeyondRoundingCannotJudgeAndSaysWhatToDo() throws {
        // Two boxes whose order differs between the runs: the unpaired floor is a whole coordinate.
        let golden: [Double] = [10, 20, 30, 40, 11, 21, 29, 39]
        let reordered = NoiseFloor.measure(float32: [11, 21, 29, 39, 10, 20, 30, 40], float64: golden)
        XCTAssertFalse(reordered.isMeaningful)
        let metrics = try OutputComparator.compare(name: "boxes", actual: golden.map { $0 + 0.5 }, golden: golden, shape: [2, 4],
                                                   thresholds: Thresholds([.maxFloorRatio: 16]), noiseFloor: reordered)
        XCTAssertLessThan(try XCTUnwrap(metrics.floorRatio), 8, "the inflated floor would have passed a 0.5 error")
        let verdict = Gates().verdict(for: CellResult(model: "m", path: "fp32", outputs: [metrics]))
        XCTAssertEqual(verdict.status, .fail)
        XCTAssertTrue(verdict.reasons[0].contains("the noise floor 1 is 2.5 % of the output's largest value"), verdict.reasons[0])
        XCTAssertTrue(verdict.reasons[0].contains("set match: detections"), verdict.reasons[0])

        let rounding = NoiseFloor.measure(float32: golden.map { $0 + 4e-6 }, float64: golden)
        XCTAssertTrue(rounding.isMeaningful)
        let close = try OutputComparator.compare(name: "boxes", actual: golden.map { $0 + 1e-5 }, golden: golden, shape: [2, 4],
                                                 thresholds: Thresholds([.maxFloorRatio: 16]), noiseFloor: rounding)
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "m", path: "fp32", outputs: [close])), .pass)
    }

    /// Logits all but zero (a random-weight MobileViT: about 1e-55): float32 flushes them to 0
    /// where float64 keeps them, so the floor is the whole scale, which is underflow, not a
    /// discrete choice. A cell that also gives 0 passes; one that gives 1e-3 fails.
    func testOutputBelowFloat32RangeIsJudgedByItsFloor() throws {
        let exact: [Double] = [7.9e-56, -3e-56, 1e-57]
        let floor = NoiseFloor.measure(float32: [0, 0, 0], float64: exact)
        XCTAssertEqual(floor.allowance / floor.scale, 1, accuracy: 1e-12)
        XCTAssertTrue(floor.isMeaningful)
        func verdict(_ actual: [Double]) throws -> Verdict {
            let metrics = try OutputComparator.compare(name: "logits", actual: actual, golden: [0, 0, 0], shape: [1, 3],
                                                       thresholds: Thresholds([.maxFloorRatio: 16]), noiseFloor: floor)
            return Gates().verdict(for: CellResult(model: "mobilevit", path: "fp32", outputs: [metrics]))
        }
        XCTAssertEqual(try verdict([0, 0, 0]), .pass)
        XCTAssertEqual(try verdict([0, 1e-3, 0]).status, .fail)
    }

    /// PyTorch's dynamo exporter writes `new_zeros` as a ConstantOfShape without `value`, whose
    /// default is a float32 zero: the float64 run must make it a float64 zero, or the Add behind it
    /// sees float64 and float32 operands.
    func testDefaultConstantOfShapeIsWidened() throws {
        let model = GraphBuilder.model(
            [Node(name: "zeros", opType: "ConstantOfShape", inputs: ["shape"], outputs: ["z"]),
             Node(name: "add", opType: "Add", inputs: ["x", "z"], outputs: ["y"])],
            inputs: [GraphBuilder.value("x", .float, [2, 3])], outputs: [GraphBuilder.value("y", .float, [2, 3])],
            initializers: [GraphBuilder.int64s("shape", [2, 3])], opset: 17)
        let floors = try NoiseFloorMeter().measure(fp32: model, model: "zeros", inputs: ["x": GraphBuilder.tensor([2, 3], [1, 2, 3, 4, 5, 6])],
                                                   file: "golden.h5")
        XCTAssertEqual(try XCTUnwrap(floors["y"]).maxAbsError, 0)
        XCTAssertEqual(try XCTUnwrap(floors["y"]).scale, 6)
    }

    func testDivergenceThresholdFollowsTheFloor() {
        let floor = NoiseFloor(maxAbsError: 1e-5, rmsError: 1e-6, scale: 10, snrDB: 110, elementCount: 4)
        XCTAssertEqual(DivergenceLocator.thresholdSNRdB(Thresholds([.maxFloorRatio: 10]), noiseFloor: floor), 90, accuracy: 1e-9)
        XCTAssertEqual(DivergenceLocator.thresholdSNRdB(Thresholds([.minCosine: 0.99]), noiseFloor: floor), 10 * log10(50), accuracy: 1e-9)
        let exact = NoiseFloor(maxAbsError: 0, rmsError: 0, scale: 1, snrDB: .infinity, elementCount: 4)
        XCTAssertEqual(DivergenceLocator.thresholdSNRdB(Thresholds([.maxFloorRatio: 10]), noiseFloor: exact),
                       DivergenceLocator.float32SNRdB - 20, accuracy: 1e-9)
    }

    /// A corpus with no tolerances: fp32 and fused pass against the floor, an external converter
    /// whose float32 graph scales one term by 1 + 1e-4 fails, by a stated multiple of the floor,
    /// with the diagnosis at the first Add that reads the scaled term.
    func testRunWithoutTolerancesPassesLosslessPathsAndFailsABugJustAboveTheFloor() throws {
        let folder = try TemporaryDirectory()
        let modelFolder = folder.file("chain")
        try FileManager.default.createDirectory(at: modelFolder, withIntermediateDirectories: true)
        try ONNXModelFile.save(Self.chainModel(), to: modelFolder.appendingPathComponent("model.onnx"))
        try ONNXModelFile.save(Self.chainModel(scaleTerm: (27, 1.0001)), to: folder.file("buggy.onnx"))
        let values = Self.termValues()
        let golden = Self.sums(values).float64.map { Float($0) }
        var datasets = Dictionary(uniqueKeysWithValues: values.enumerated().map {
            ("inputs/x\($0.offset)", GraphBuilder.tensor([Self.samples, Self.width], $0.element))
        })
        datasets["outputs/y"] = GraphBuilder.tensor([Self.samples, Self.width], golden)
        try HDF5TensorFile.write(datasets, to: modelFolder.appendingPathComponent("golden.h5"))
        try """
            paths: [fp32, fused, buggy]
            models:
              chain: {source: chain/model.onnx}
            external_paths:
              buggy: {command: "test -f {input} && cp '\(folder.file("buggy.onnx").path)' {output}"}
            """.write(to: folder.file("corpus.yml"), atomically: false, encoding: .utf8)
        let manifest = try Manifest.load(corpus: folder.url)
        let runner = CellRunner(manifest: manifest, modelsFolder: folder.file("out"), settings: RunSettings(latencyRuns: 1, warmupRuns: 0))
        for path in ["fp32", "fused"] {
            let result = runner.run(CellKey(model: "chain", path: path))
            XCTAssertEqual(Gates().verdict(for: result), .pass, path)
            let output = try XCTUnwrap(result.outputs.first)
            XCTAssertEqual(output.thresholds, Thresholds([.maxFloorRatio: 16]), path)
            XCTAssertLessThanOrEqual(try XCTUnwrap(output.floorRatio), 2, path)
        }
        let buggy = runner.run(CellKey(model: "chain", path: "buggy"))
        let verdict = Gates().verdict(for: buggy)
        XCTAssertEqual(verdict.status, .fail)
        let output = try XCTUnwrap(buggy.outputs.first)
        XCTAssertEqual(output.thresholds, Thresholds([.maxFloorRatio: 16]), "a float32 external graph is judged like fp32")
        XCTAssertGreaterThan(try XCTUnwrap(output.floorRatio), 16)
        XCTAssertTrue(verdict.reasons.contains { $0.contains("the noise floor") && $0.contains("(allowed 16×") }, "\(verdict.reasons)")
        XCTAssertEqual(buggy.diagnosis?.firstDivergingNode, "add_27")
    }
}
