import Foundation
@testable import Harness
import ModelIR
import TestSupport
import XCTest

/// Built-in defaults against the noise floor, explicit thresholds winning over them, external
/// paths judged by the precision of what they produced, and `match:` in `corpus.yml`.
final class ToleranceDefaultsTests: XCTestCase {
    private var corpus: TemporaryDirectory!

    override func setUpWithError() throws {
        corpus = try TemporaryDirectory()
        let url = corpus.file("m/model.onnx")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: url)
    }

    override func tearDown() {
        corpus = nil
    }

    private func parse(_ yaml: String) throws -> Manifest {
        try Manifest.parse(yaml: yaml, file: "corpus.yml", corpusRoot: corpus.url)
    }

    func testLosslessPathsDefaultToTheFloorAndLossyOnesToTaskMeasures() throws {
        let manifest = try parse("paths: [fp32, fused, fp16, int8-static, fused+fp16, fp32+fused]\nmodels:\n  m: {source: m/model.onnx}\n")
        let m = manifest.models[0]
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp32", output: "y"), Thresholds([.maxFloorRatio: 16]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "fused", output: "y"), Thresholds([.maxFloorRatio: 16]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp16", output: "y"), Thresholds([.minCosine: 0.999, .maxFP16FloorRatio: 1]))
        XCTAssertEqual(manifest.budget(model: m, path: "fp16"), Thresholds([.maxAccuracyLoss: 0.005]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "int8-static", output: "y"), Thresholds([.minCosine: 0.99]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp32+fused", output: "y"), Thresholds([.maxFloorRatio: 16]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "fused+fp16", output: "y"), Thresholds([.minCosine: 0.999, .maxFP16FloorRatio: 1]),
                       "a lossy step drops the floor gate of a composition")
    }

    func testExplicitElementwiseThresholdsReplaceTheFloorAndOtherKeysAddToIt() throws {
        let manifest = try parse("""
            paths: [fp32, fused]
            defaults:
              fp32: {rtol: 1.0e-4, atol: 1.0e-5}
            models:
              m:
                source: m/model.onnx
                tolerances:
                  fused: {min_cosine: 0.9999, logits: {max_abs_error: 0.5}, boxes: {max_floor_ratio: 20}, scores: {max_floor_ratio: null}}
                  fp32: {probs: {max_floor_ratio: 3, rtol: 1.0e-3}}
            """)
        let m = manifest.models[0]
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp32", output: "y"), Thresholds([.rtol: 1e-4, .atol: 1e-5]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp32", output: "probs"),
                       Thresholds([.rtol: 1e-3, .atol: 1e-5, .maxFloorRatio: 3]), "a layer that sets both keeps both")
        XCTAssertEqual(manifest.tolerance(model: m, path: "fused", output: "y"), Thresholds([.maxFloorRatio: 16, .minCosine: 0.9999]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "fused", output: "logits"), Thresholds([.minCosine: 0.9999, .maxAbsError: 0.5]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "fused", output: "boxes"), Thresholds([.maxFloorRatio: 20, .minCosine: 0.9999]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "fused", output: "scores"), Thresholds([.minCosine: 0.9999]))

        // The explicit rtol/atol judge the output; an error far above the floor passes within them.
        let floor = NoiseFloor(maxAbsError: 1e-6, rmsError: 1e-7, scale: 1, snrDB: 130, elementCount: 2)
        let metrics = try OutputComparator.compare(name: "y", actual: [1.00005, 2], golden: [1, 2], shape: [2],
                                                   thresholds: manifest.tolerance(model: m, path: "fp32", output: "y"), noiseFloor: floor)
        XCTAssertEqual(try XCTUnwrap(metrics.floorRatio), 50, accuracy: 1e-6)
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "m", path: "fp32", outputs: [metrics])), .pass)
    }

    /// An fp16 output below `min_cosine` passes when its error is within what float16 arithmetic
    /// explains for the model (2¹³ × its float32 noise floor) and fails beyond it, saying by how
    /// much; a `min_cosine` set in corpus.yml is the bar on its own.
    func testFP16LossThatFloat16ArithmeticExplainsPassesAndMoreFails() throws {
        let manifest = try parse("""
            paths: [fp16]
            models:
              m: {source: m/model.onnx}
              strict: {source: m/model.onnx, tolerances: {fp16: {min_cosine: 0.998}}}
            """)
        let thresholds = manifest.tolerance(model: manifest.models[0], path: "fp16", output: "y")
        func verdict(floor: Double) throws -> Verdict {
            let noiseFloor = NoiseFloor(maxAbsError: floor, rmsError: floor / 2, scale: 1, snrDB: 100, elementCount: 2)
            let metrics = try OutputComparator.compare(name: "y", actual: [1.05, -0.95], golden: [1, -1], shape: [2],
                                                       thresholds: thresholds, noiseFloor: noiseFloor)
            XCTAssertLessThan(metrics.cosine, 0.999)
            XCTAssertTrue(metrics.needsFP16Floor)
            return Gates().verdict(for: CellResult(model: "m", path: "fp16", outputs: [metrics]))
        }
        XCTAssertEqual(try verdict(floor: 1e-5), .pass, "0.05 is 0.61× of 2¹³ × 1e-5")
        let failed = try verdict(floor: 5e-6)
        XCTAssertEqual(failed.status, .fail)
        XCTAssertTrue(failed.reasons.first?.contains("max abs error 0.05 is 1.22× what float16 explains for this model (2¹³ × noise floor = 0.041") == true,
                      failed.reasons.joined())
        XCTAssertEqual(manifest.tolerance(model: manifest.models[1], path: "fp16", output: "y"), Thresholds([.minCosine: 0.998]))
    }

    func testAStudentIsNotJudgedAgainstItsOwnFloor() throws {
        let manifest = try parse("""
            paths: [fp32]
            models:
              teacher: {source: m/model.onnx}
              student: {source: m/model.onnx, teacher: teacher, tolerances: {min_top1_agreement: 0.95}}
              checked: {source: m/model.onnx, teacher: teacher, tolerances: {max_floor_ratio: 50}}
            """)
        XCTAssertEqual(manifest.tolerance(model: manifest.models[0], path: "fp32", output: "y"), Thresholds([.maxFloorRatio: 16]))
        XCTAssertEqual(manifest.tolerance(model: manifest.models[1], path: "fp32", output: "y"), Thresholds([.minTop1Agreement: 0.95]))
        XCTAssertEqual(manifest.tolerance(model: manifest.models[2], path: "fp32", output: "y"), Thresholds([.maxFloorRatio: 50]))
    }

    func testExternalPathsAreJudgedByThePrecisionTheyProduced() throws {
        let manifest = try parse("""
            paths: [conv, tflite-int8]
            defaults:
              tflite-int8: {max_accuracy_loss: 0.02}
            models:
              m: {source: m/model.onnx}
            external_paths:
              conv: {command: "convert {input} {output}"}
              tflite-int8: {command: "convert --int8 {input} {output}", format: tflite}
            """)
        let m = manifest.models[0]
        XCTAssertEqual(manifest.tolerance(model: m, path: "conv", output: "y", precision: .float32), Thresholds([.maxFloorRatio: 16]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "conv", output: "y", precision: .float16), Thresholds([.minCosine: 0.999, .maxFP16FloorRatio: 1]))
        XCTAssertEqual(manifest.budget(model: m, path: "conv", precision: .float16), Thresholds([.maxAccuracyLoss: 0.005]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "conv", output: "y", precision: .int8), Thresholds([.minCosine: 0.99]))
        XCTAssertEqual(manifest.tolerance(model: m, path: "conv", output: "y"), Thresholds([.minCosine: 0.99]), "precision not known yet")
        XCTAssertEqual(manifest.budget(model: m, path: "tflite-int8", precision: .int8), Thresholds([.maxAccuracyLoss: 0.02]),
                       "defaults: for the path win over the precision's")
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp32+conv", output: "y", precision: .float32), Thresholds([.maxFloorRatio: 16]))
    }

    func testPrecisionIsReadFromTheModel() {
        let x = GraphBuilder.value("x", .float, [1, 4]), y = GraphBuilder.value("y", .float, [1, 4])
        let plain = GraphBuilder.model([Node(opType: "Add", inputs: ["x", "b"], outputs: ["y"])], inputs: [x], outputs: [y],
                                       initializers: [GraphBuilder.tensor("b", [4], [1, 2, 3, 4])])
        XCTAssertEqual(ModelPrecision.of(plain), .float32)
        var half = plain
        half.graph.initializers = [(try? Tensor(name: "b", converting: [1, 2, 3, 4], to: .float16, shape: [4]))!]
        XCTAssertEqual(ModelPrecision.of(half), .float16)
        var cast = plain
        cast.graph.nodes.append(Node(opType: "Cast", inputs: ["y"], outputs: ["h"], attributes: [GraphBuilder.int("to", 10)]))
        XCTAssertEqual(ModelPrecision.of(cast), .float16)
        var quantized = half
        quantized.graph.nodes.insert(Node(opType: "DequantizeLinear", inputs: ["q", "s"], outputs: ["x"]), at: 0)
        XCTAssertEqual(ModelPrecision.of(quantized), .int8, "quantization wins over float16")
    }

    func testMatchIsParsedPerModelPathAndOutput() throws {
        let manifest = try parse("""
            paths: [fp32, fused]
            defaults:
              fused: {match: detections}
            models:
              m:
                source: m/model.onnx
                tolerances:
                  scores: {match: detection_values}
                  fp32: {boxes: {match: detections, max_floor_ratio: 4}}
            """)
        let m = manifest.models[0]
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp32", output: "boxes"),
                       Thresholds([.maxFloorRatio: 4, .minDetectionAgreement: 1], match: .detections))
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp32", output: "scores").match, .detectionValues)
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp32", output: "labels").match, nil)
        XCTAssertEqual(manifest.tolerance(model: m, path: "fused", output: "labels").match, .detections)
        XCTAssertTrue(manifest.budget(model: m, path: "fused").isEmpty)
    }

    func testADetectorsReadMatchAppliesOnlyWhereNoLayerSetsOne() throws {
        let manifest = try parse("""
            paths: [fp32, fp16]
            models:
              m:
                source: m/model.onnx
                tolerances:
                  masks: {match: elements}
            """)
        let m = manifest.models[0]
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp32", output: "boxes", detectorMatch: .detections),
                       Thresholds([.maxFloorRatio: 16, .minDetectionAgreement: 1], match: .detections))
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp16", output: "scores", detectorMatch: .detectionValues)[.minDetectionAgreement], 0.95)
        XCTAssertEqual(manifest.tolerance(model: m, path: "fp32", output: "masks", detectorMatch: .detections).match, .elements,
                       "an explicit match wins")
        XCTAssertNil(manifest.tolerance(model: m, path: "fp32", output: "logits").match)
    }

    func testDetectionOutputsGetTheirPathsDetectionAgreement() throws {
        let manifest = try parse("""
            paths: [fp32, fused, fp16, int8-static, fused+fp16, tflite]
            defaults:
              fused: {match: detections}
            external_paths:
              tflite: {command: "cp {input} {output}"}
            models:
              m:
                source: m/model.onnx
                tolerances:
                  boxes: {match: detections}
                  fp16: {scores: {match: detection_values, min_detection_agreement: 0.8}}
            """)
        let m = manifest.models[0]
        func agreement(_ path: String, _ output: String, _ precision: ModelPrecision? = nil) -> Double? {
            manifest.tolerance(model: m, path: path, output: output, precision: precision)[.minDetectionAgreement]
        }
        XCTAssertEqual(agreement("fp32", "boxes"), 1, "a lossless path keeps every detection")
        XCTAssertEqual(agreement("fused", "labels"), 1)
        XCTAssertEqual(agreement("fp16", "boxes"), 0.95)
        XCTAssertEqual(agreement("int8-static", "boxes"), 0.95)
        XCTAssertEqual(agreement("fused+fp16", "boxes"), 0.95, "the loosest part")
        XCTAssertEqual(agreement("fp16", "scores"), 0.8, "an explicit value wins")
        XCTAssertEqual(agreement("tflite", "boxes", .float32), 1)
        XCTAssertEqual(agreement("tflite", "boxes"), 0.95)
        XCTAssertNil(agreement("fp32", "scores"), "an output compared element by element has no detections to count")
    }

    func testBadMatchValuesNameTheLineAndWhatIsAllowed() {
        func error(_ yaml: String) -> String {
            do { _ = try parse(yaml); return "no error" } catch { return String(describing: error) }
        }
        XCTAssertEqual(error("paths: [fp32]\nmodels:\n  m: {source: m/model.onnx, tolerances: {match: detection}}\n"),
                       "corpus.yml:3:49: unknown match 'detection' in 'tolerances' of model 'm' (did you mean 'detections'?); "
                       + "allowed: elements, detections, detection_values")
        XCTAssertEqual(error("paths: [fp32]\nmodels:\n  m: {source: m/model.onnx, budgets: {match: detections}}\n"),
                       "corpus.yml:3:39: 'match' cannot be set in 'budgets' of model 'm'; it belongs under 'tolerances'")
    }

    func testThresholdsWithMatchRoundTripThroughJSON() throws {
        let thresholds = Thresholds([.maxFloorRatio: 16, .minCosine: 0.99], match: .detections)
        let data = try JSONEncoder().encode(thresholds)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["match"] as? String, "detections")
        XCTAssertEqual(object["max_floor_ratio"] as? Double, 16)
        XCTAssertEqual(try JSONDecoder().decode(Thresholds.self, from: data), thresholds)
    }
}
