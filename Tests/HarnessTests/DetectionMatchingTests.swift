import Foundation
@testable import Harness
import ModelIR
import XCTest

/// `match: detections`: rows paired with golden rows before the element-wise comparison.
final class DetectionMatchingTests: XCTestCase {
    /// Three detections `[x1, y1, x2, y2, score, class]`; the first two are near-tie scores.
    static let golden: [Double] = [
        10, 20, 110, 220, 0.9000010, 3,
        136, 40, 420, 130, 0.9000000, 7,
        5, 5, 50, 50, 0.5, 1,
    ]

    /// The same detections from another executor: the near ties swapped places, every value off
    /// by at most 1e-6.
    static let swapped: [Double] = [
        136, 40, 420, 130, 0.9000008, 7,
        10, 20, 110.000001, 220, 0.9000002, 3,
        5, 5, 50, 50, 0.5000001, 1,
    ]

    let thresholds = Thresholds([.rtol: 1e-6, .atol: 1e-5])

    func testSwappedNearTiesAreComparedWithTheirCounterparts() throws {
        let elementwise = try OutputComparator.compare(name: "detections", actual: Self.swapped, golden: Self.golden, shape: [1, 3, 6],
                                                       thresholds: thresholds)
        XCTAssertEqual(elementwise.maxAbsError, 310, accuracy: 1e-9, "x2 of one box against x2 of the other")
        XCTAssertNil(elementwise.reorderedRows)
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "ssd", path: "fp32", outputs: [elementwise])).status, .fail)

        var matched = thresholds
        matched.match = .detections
        let paired = try OutputComparator.compare(name: "detections", actual: Self.swapped, golden: Self.golden, shape: [1, 3, 6],
                                                  thresholds: matched)
        XCTAssertEqual(paired.maxAbsError, 1e-6, accuracy: 1e-12)
        XCTAssertEqual(paired.reorderedRows, 2)
        XCTAssertEqual(paired.mismatchCount, 0)
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "ssd", path: "fp32", outputs: [paired])), .pass)
    }

    func testAGenuinelyWrongBoxStillFails() throws {
        var wrong = Self.swapped
        wrong[6 + 1] += 8   // y1 of the detection that golden lists first
        var matched = thresholds
        matched.match = .detections
        let metrics = try OutputComparator.compare(name: "detections", actual: wrong, golden: Self.golden, shape: [3, 6], thresholds: matched)
        XCTAssertEqual(metrics.maxAbsError, 8, accuracy: 1e-9)
        XCTAssertEqual(metrics.mismatchCount, 1)
        let verdict = Gates().verdict(for: CellResult(model: "ssd", path: "fp32", outputs: [metrics]))
        XCTAssertEqual(verdict.status, .fail)
        XCTAssertTrue(verdict.reasons[0].hasPrefix("output 'detections': 1 of 18 elements"), verdict.reasons[0])
    }

    func testRowsArePairedWithinEachSampleOnly() throws {
        // Sample 1 holds sample 0's rows: pairing across samples would hide the difference.
        let golden: [Double] = [1, 1, 2, 2, /* sample 1 */ 7, 7, 9, 9]
        let actual: [Double] = [2, 2, 1, 1, /* sample 1 */ 1, 1, 2, 2]
        let paired = try DetectionMatching.pair(actual: actual, actualShape: [2, 2, 2], golden: golden, goldenShape: [2, 2, 2], match: .detections,
                                                output: "boxes")
        XCTAssertEqual(paired.actual, [1, 1, 2, 2, /* sample 1: (2, 2) is nearest to (7, 7) */ 2, 2, 1, 1])
        XCTAssertEqual(paired.pairing?.reorderedRows, 4)
        let metrics = try OutputComparator.compare(name: "boxes", actual: actual, golden: golden, shape: [2, 2, 2],
                                                   thresholds: Thresholds([.atol: 1e-3], match: .detections))
        XCTAssertEqual(metrics.maxAbsError, 8)
    }

    func testDetectionValuesPairSingleValuesAlongTheLastAxis() throws {
        let golden: [Double] = [0.91, 0.9100004, 0.3, /* sample 1 */ 0.8, 0.2, 0.1]
        let actual: [Double] = [0.9100003, 0.91, 0.3, /* sample 1 */ 0.8, 0.2, 0.1]
        let paired = try DetectionMatching.pair(actual: actual, actualShape: [2, 3], golden: golden, goldenShape: [2, 3], match: .detectionValues,
                                                output: "scores")
        XCTAssertEqual(paired.actual, [0.91, 0.9100003, 0.3, 0.8, 0.2, 0.1])
        XCTAssertEqual(paired.pairing?.reorderedRows, 2)
        let rows = try DetectionMatching.layout(of: [2, 3], match: .detections, output: "scores")
        XCTAssertEqual(rows.samples, 1, "without detection_values a [2, 3] output is two detections of three values")
        XCTAssertEqual(rows.rows, 2)
    }

    func testShapesThatCannotBePairedSayWhy() {
        XCTAssertThrowsError(try DetectionMatching.pair(actual: [1], actualShape: [], golden: [1], goldenShape: [], match: .detections, output: "n")) { error in
            XCTAssertEqual((error as? CompareError)?.description,
                           "output 'n' cannot be compared: match: detections needs an output of rank 1 or more, not a scalar")
        }
        let rows = DetectionMatching.maxRows + 1
        XCTAssertThrowsError(try DetectionMatching.layout(of: [rows, 4], match: .detections, output: "boxes")) { error in
            XCTAssertTrue(String(describing: error).contains("pairs at most \(DetectionMatching.maxRows) detections per sample"), "\(error)")
        }
    }

    func testNoiseFloorPairsTheFloat64RunLikeTheGolden() throws {
        let floors = try NoiseFloorMeter.floors(float32: [("d", try Tensor(shape: [3, 6], scalars: Self.swapped))],
                                                float64: [("d", try Tensor(shape: [3, 6], scalars: Self.golden))], match: { _ in .detections })
        XCTAssertEqual(try XCTUnwrap(floors["d"]).maxAbsError, 1e-6, accuracy: 1e-12)
    }

    /// A detector that runs NMS per class lists one box once per class. Here golden holds box A as
    /// class 1 and as class 2; the actual run lists them in the other order, the class-2 copy
    /// nudged by 0.01, and its class-1 copy moved by 2. Paired on boxes alone, A (class 1) would
    /// pair with the nudged class-2 copy and the labels would differ by 1; within a class, every
    /// label agrees and the boxes differ by the 2 the class-1 copy moved.
    func testBoxesPairWithinTheirClass() throws {
        let golden = ["boxes": try Tensor(shape: [1, 2, 4], scalars: [Float(10), 10, 50, 50, 10, 10, 50, 50]),
                      "labels": try Tensor(shape: [1, 2], scalars: [Float(1), 2])]
        let actual: [(name: String, tensor: Tensor)] = [
            ("boxes", try Tensor(shape: [1, 2, 4], scalars: [Float(10.01), 10, 50, 50, 12, 10, 50, 50])),
            ("labels", try Tensor(shape: [1, 2], scalars: [Int64(2), 1])),
        ]
        let thresholds: (String) -> Thresholds = { Thresholds([.maxAbsError: 1], match: $0 == "boxes" ? .detections : .detectionValues) }
        let result = try GoldenComparison.compare(actual: actual, golden: golden, thresholds: thresholds)
        XCTAssertEqual(result.outputs[1].maxAbsError, 0, "labels pair within their class")
        XCTAssertEqual(result.outputs[0].maxAbsError, 2, accuracy: 1e-6)
        XCTAssertEqual(result.outputs[0].detections, DetectionCounts(golden: 2, actual: 2, paired: 2))

        let floors = try NoiseFloorMeter.floors(float32: actual, float64: [("boxes", golden["boxes"]!), ("labels", golden["labels"]!)],
                                                match: { thresholds($0).match ?? .elements })
        XCTAssertEqual(try XCTUnwrap(floors["labels"]).maxAbsError, 0)
        XCTAssertEqual(try XCTUnwrap(floors["boxes"]).maxAbsError, 2, accuracy: 1e-6)
    }

    /// Three golden boxes `[x1, y1, x2, y2]`; the path kept the first two (one nudged by 1e-3) and
    /// lost the third.
    static let goldenBoxes: [Double] = [10, 20, 110, 220, 136, 40, 420, 130, 5, 5, 50, 50]
    static let keptBoxes: [Double] = [136, 40, 420.001, 130, 10, 20, 110, 220]

    func testUnequalDetectionCountsCompareTheCounterpartsAndCountTheRest() throws {
        let thresholds = Thresholds([.minCosine: 0.999, .minDetectionAgreement: 0.95], match: .detections)
        let metrics = try OutputComparator.compare(name: "boxes", actual: Self.keptBoxes, golden: Self.goldenBoxes, shape: [3, 4],
                                                   actualShape: [2, 4], thresholds: thresholds)
        XCTAssertEqual(metrics.detections, DetectionCounts(golden: 3, actual: 2, paired: 2))
        XCTAssertEqual(try XCTUnwrap(metrics.detections?.agreement), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(metrics.elementCount, 8, "the counterparts' values only")
        XCTAssertEqual(metrics.maxAbsError, 1e-3, accuracy: 1e-9)
        XCTAssertEqual(metrics.reorderedRows, 2)
        let verdict = Gates().verdict(for: CellResult(model: "ssd", path: "fp16", outputs: [metrics]))
        XCTAssertEqual(verdict.status, .fail)
        XCTAssertEqual(verdict.reasons, ["output 'boxes': 2 of 3 golden detections have a counterpart among the 2 produced (boxes at IoU ≥ 0.5): "
                                         + "agreement 66.67 % < 95 %"])
        var looser = thresholds
        looser[.minDetectionAgreement] = 0.6
        let passing = try OutputComparator.compare(name: "boxes", actual: Self.keptBoxes, golden: Self.goldenBoxes, shape: [3, 4],
                                                   actualShape: [2, 4], thresholds: looser)
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "ssd", path: "fp16", outputs: [passing])), .pass)
    }

    func testABoxMovedBeyondTheIoUHasNoCounterpart() throws {
        var moved = Self.goldenBoxes
        moved[8] += 30   // x1 and x2 of the third box: IoU 15 / 75 = 0.2 with its golden box
        moved[10] += 30
        let metrics = try OutputComparator.compare(name: "boxes", actual: moved, golden: Self.goldenBoxes, shape: [3, 4],
                                                   thresholds: Thresholds([.maxAbsError: 1], match: .detections))
        XCTAssertEqual(metrics.detections, DetectionCounts(golden: 3, actual: 3, paired: 2))
        XCTAssertEqual(metrics.maxAbsError, 0, "the two counterparts are exact")
        XCTAssertEqual(DetectionMatching.intersectionOverUnion(Self.goldenBoxes[8..<12], moved[8..<12]), 675.0 / 3375, accuracy: 1e-12)
        XCTAssertEqual(DetectionMatching.intersectionOverUnion([0, 0, 2, 2], [2, 2, 0, 0]), 1, "corners in either order")

        // A sliver 0.94 × 0.02 px moved by 0.47 px: IoU 0.33, but within 1 % of the largest coordinate (420).
        let sliver: [Double] = Self.goldenBoxes + [62.59, 45.40, 63.53, 45.42]
        var nudged = sliver
        nudged[12] += 0.47
        nudged[14] += 0.47
        XCTAssertLessThan(DetectionMatching.intersectionOverUnion(sliver[12..<16], nudged[12..<16]), 0.5)
        let slivers = try OutputComparator.compare(name: "boxes", actual: nudged, golden: sliver, shape: [4, 4],
                                                   thresholds: Thresholds(match: .detections))
        XCTAssertEqual(slivers.detections, DetectionCounts(golden: 4, actual: 4, paired: 4))
        XCTAssertEqual(slivers.maxAbsError, 0.47, accuracy: 1e-9)
    }

    /// Golden holds three boxes; the cell lost the third. On a lossless path (agreement 1) that
    /// fails, unless the fp32 graph's own float32 and float64 runs disagree on a detection: then
    /// rounding explains two (one per float32 execution).
    func testDetectionsFloat32RoundingMovesAreNoise() throws {
        let thresholds = Thresholds([.minDetectionAgreement: 1, .maxFloorRatio: 16], match: .detections)
        func verdict(floorPaired: Int) throws -> Verdict {
            var floor = NoiseFloor.measure(float32: [10, 20, 110, 220], float64: [10, 20, 110, 220.001])
            floor.detections = DetectionCounts(golden: 3, actual: 3, paired: floorPaired)
            let metrics = try OutputComparator.compare(name: "boxes", actual: Self.keptBoxes, golden: Self.goldenBoxes, shape: [3, 4],
                                                       actualShape: [2, 4], thresholds: thresholds, noiseFloor: floor)
            return Gates().verdict(for: CellResult(model: "detector", path: "fp32", outputs: [metrics]))
        }
        let exact = try verdict(floorPaired: 3)
        XCTAssertEqual(exact.status, .fail)
        XCTAssertTrue(exact.reasons.contains { $0.contains("2 of 3 golden detections have a counterpart") }, "\(exact.reasons)")
        XCTAssertEqual(try verdict(floorPaired: 2), .pass)

        var floor = NoiseFloor.measure(float32: [1], float64: [1])
        XCTAssertEqual(floor.unpairedDetectionAllowance, 0)
        floor.detections = DetectionCounts(golden: 5, actual: 4, paired: 3)
        XCTAssertEqual(floor.unpairedDetectionAllowance, 4)
    }

    /// hf_rt_detr with random weights: its float32 and float64 runs select other queries for 22
    /// of 40 detections, so rounding would "explain" 44 and a cell pairing none of the golden
    /// detections passed. When the allowance covers every detection, the output cannot be judged.
    func testDetectionsRoundingCannotExplainAllFails() throws {
        let thresholds = Thresholds([.minDetectionAgreement: 1, .maxFloorRatio: 16], match: .detections)
        var floor = NoiseFloor.measure(float32: [10, 20, 110, 220], float64: [10, 20, 110, 220.001])
        floor.detections = DetectionCounts(golden: 3, actual: 3, paired: 1)
        XCTAssertTrue(floor.detectionsBeyondRounding)
        let metrics = try OutputComparator.compare(name: "boxes", actual: Self.keptBoxes, golden: Self.goldenBoxes, shape: [3, 4],
                                                   actualShape: [2, 4], thresholds: thresholds, noiseFloor: floor)
        let verdict = Gates().verdict(for: CellResult(model: "detector", path: "fp32", outputs: [metrics]))
        XCTAssertEqual(verdict.status, .fail)
        XCTAssertTrue(verdict.reasons.contains { $0.contains("pair only 1 of their 3 detections") && $0.contains("cannot judge") }, "\(verdict.reasons)")

        floor.detections = DetectionCounts(golden: 3, actual: 3, paired: 2)
        XCTAssertFalse(floor.detectionsBeyondRounding, "one detection moved: rounding explains two of three")
        floor.detections = DetectionCounts(golden: 0, actual: 0, paired: 0)
        XCTAssertFalse(floor.detectionsBeyondRounding, "no detections on either side")
    }

    /// Mask R-CNN with random weights lists slivers clamped to the image edge: golden's
    /// [0, 17, 5.39, 120] came out as [0, 17, 2.09, 120] (IoU 0.39, a corner 3.3 px away, beyond
    /// 1 % of the 320 px scale). With a floor of 0.26 px and `max_floor_ratio` 16 the value gate
    /// accepts 4.2 px, so the two are counterparts and the cell passes; with a floor of 0.1 px
    /// they are not, and the missing detection fails the agreement gate.
    func testBoxesWithinWhatTheFloorGateAcceptsAreCounterparts() throws {
        let golden: [Double] = [0, 17, 5.39, 120, 10, 10, 320, 300]
        let actual: [Double] = [0, 17, 2.09, 120, 10, 10, 320, 300]
        let thresholds = Thresholds([.maxFloorRatio: 16, .minDetectionAgreement: 1], match: .detections)
        func verdict(floor allowance: Double) throws -> (Verdict, OutputMetrics) {
            let floor = NoiseFloor.measure(float32: [0, 0, 320], float64: [0, allowance, 320])
            let metrics = try OutputComparator.compare(name: "boxes", actual: actual, golden: golden, shape: [2, 4], thresholds: thresholds,
                                                       noiseFloor: floor)
            return (Gates().verdict(for: CellResult(model: "maskrcnn", path: "fp32", outputs: [metrics])), metrics)
        }
        let (wide, wideMetrics) = try verdict(floor: 0.26)
        XCTAssertEqual(wideMetrics.detections, DetectionCounts(golden: 2, actual: 2, paired: 2))
        XCTAssertEqual(wide, .pass)
        let (narrow, narrowMetrics) = try verdict(floor: 0.1)
        XCTAssertEqual(narrowMetrics.detections, DetectionCounts(golden: 2, actual: 2, paired: 1))
        XCTAssertEqual(narrow.status, .fail)
    }

    /// Two detections listed in the other order, whose scores moved by more than their gap: the
    /// scores pair as the boxes do (the same detections), not nearest value first.
    func testScoresAndClassesFollowTheBoxesPairing() throws {
        let golden = ["boxes": try Tensor(shape: [2, 4], scalars: [Float(0), 0, 10, 10, 50, 50, 60, 60]),
                      "scores": try Tensor(shape: [2], scalars: [Float(0.60), 0.62]),
                      "labels": try Tensor(shape: [2], scalars: [Int64(3), 3])]
        let actual: [(name: String, tensor: Tensor)] = [
            ("scores", try Tensor(shape: [2], scalars: [Float(0.605), 0.615])),
            ("labels", try Tensor(shape: [2], scalars: [Int64(3), 3])),
            ("boxes", try Tensor(shape: [2, 4], scalars: [Float(50), 50, 60, 60, 0, 0, 10, 10])),
        ]
        let result = try GoldenComparison.compare(actual: actual, golden: golden, thresholds: { name in
            Thresholds([.maxAbsError: 1], match: name == "boxes" ? .detections : .detectionValues)
        })
        XCTAssertEqual(result.outputs.map(\.name), ["scores", "labels", "boxes"], "model output order")
        let scores = try XCTUnwrap(result.outputs.first)
        XCTAssertEqual(scores.maxAbsError, 0.015, accuracy: 1e-6, "0.60 against 0.615, 0.62 against 0.605")
        XCTAssertEqual(scores.reorderedRows, 2)
        XCTAssertEqual(result.outputs[2].detections, DetectionCounts(golden: 2, actual: 2, paired: 2))

        let alone = try OutputComparator.compare(name: "scores", actual: [0.605, 0.615], golden: [0.60, 0.62], shape: [2],
                                                 thresholds: Thresholds(match: .detectionValues))
        XCTAssertEqual(alone.maxAbsError, 0.005, accuracy: 1e-9, "on their own, the scores pair nearest first")
    }

    /// A detector keeps its 3 best boxes: the third golden box and the third actual one differ,
    /// and their scores tie with the weakest one kept on the other side (a cut between two
    /// near-equal scores), which rounding explains; a golden box well above the cut does not.
    func testADetectionAtTheListsCutoffIsATie() throws {
        let actual: [(name: String, tensor: Tensor)] = [
            ("boxes", try Tensor(shape: [3, 4], scalars: [Float(10), 10, 50, 50, 100, 100, 150, 150, 0, 200, 40, 240])),
            ("scores", try Tensor(shape: [3], scalars: [Float(0.9), 0.8, 0.5])),
        ]
        func golden(thirdScore: Float) throws -> [String: Tensor] {
            ["boxes": try Tensor(shape: [3, 4], scalars: [Float(10), 10, 50, 50, 100, 100, 150, 150, 200, 200, 250, 250]),
             "scores": try Tensor(shape: [3], scalars: [Float(0.9), 0.8, thirdScore])]
        }
        let floors = ["boxes": NoiseFloor(maxAbsError: 0.01, rmsError: 0.005, scale: 250, snrDB: 90, elementCount: 12),
                      "scores": NoiseFloor(maxAbsError: 1e-5, rmsError: 5e-6, scale: 0.9, snrDB: 100, elementCount: 3)]
        func thresholds(_ name: String) -> Thresholds {
            Thresholds([.maxFloorRatio: 16, .minDetectionAgreement: 1], match: name == "boxes" ? .detections : .detectionValues)
        }
        let tie = try GoldenComparison.compare(actual: actual, golden: try golden(thirdScore: 0.5001), thresholds: thresholds, noiseFloors: floors)
        XCTAssertEqual(tie.outputs.map(\.detections?.paired), [2, 2])
        XCTAssertEqual(tie.outputs.map(\.detections?.cutoffTies), [1, 1], "0.5001 ≤ 0.5 + 16 × 1e-5")
        XCTAssertEqual(Gates().verdict(for: CellResult(model: "rcnn", path: "fp32", outputs: tie.outputs)), .pass)

        let dropped = try GoldenComparison.compare(actual: actual, golden: try golden(thirdScore: 0.7), thresholds: thresholds, noiseFloors: floors)
        XCTAssertEqual(dropped.outputs.map(\.detections?.cutoffTies), [0, 0], "a golden box scored 0.7 is not at the cut of a list kept down to 0.5")
        let verdict = Gates().verdict(for: CellResult(model: "rcnn", path: "fp32", outputs: dropped.outputs))
        XCTAssertEqual(verdict.status, .fail)
        XCTAssertTrue(verdict.reasons[0].hasPrefix("output 'boxes': 2 of 3 golden detections have a counterpart"), verdict.reasons[0])

        let unmeasured = try GoldenComparison.compare(actual: actual, golden: try golden(thirdScore: 0.5001), thresholds: thresholds)
        XCTAssertEqual(unmeasured.outputs.map(\.detections?.cutoffTies), [nil, nil], "without the scores' floor, no tie is measured")
    }
}
