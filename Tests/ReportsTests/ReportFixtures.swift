import Foundation
import GraphChecker
@testable import Harness
@testable import Reports

/// Cell results covering every part of the report: passing, failing and erroring cells, NaN and
/// infinite metrics, findings, a diagnosis, weight errors, and names that need escaping.
enum ReportFixtures {
    static let models = ["mnist_cnn", "resnet_tiny", #"odd <model> & "quotes" | 'x'"#]
    static let paths = ["fp32", "fp16", "int8-static"]

    static func plan() -> CellPlan {
        CellPlan(cells: models.flatMap { model in paths.map { CellKey(model: model, path: $0) } })
    }

    static func metadata(for plan: CellPlan, digest: String = "0123456789abcdef", started: String = "2026-11-25T10:00:00Z") -> RunMetadata {
        RunMetadata(runId: "20261125-100000" + (plan.shard.map { "-shard\($0.index)of\($0.count)" } ?? ""), gitCommit: String(repeating: "a", count: 40),
                    cpu: "Test CPU @ 2.00GHz", cpuCount: 2, operatingSystem: "Linux", startedAt: started, finishedAt: "2026-11-25T10:01:00Z",
                    durationSeconds: 60, corpus: .init(path: "Golden", manifestDigest: digest), models: plan.models, paths: plan.paths,
                    plannedCells: plan.plannedCellCount, shard: plan.shard, incomplete: plan.cells.count < plan.plannedCellCount)
    }

    static func output(_ name: String, _ actual: [Double], _ golden: [Double], shape: [Int], _ thresholds: Thresholds,
                       noiseFloor: NoiseFloor? = nil) -> OutputMetrics {
        // The arrays are built by the fixtures themselves, so their counts match.
        (try? OutputComparator.compare(name: name, actual: actual, golden: golden, shape: shape, thresholds: thresholds, noiseFloor: noiseFloor))!
    }

    /// The noise floor of the fixtures' fp32 outputs: float32 values of `golden` against the exact ones.
    static let noiseFloor = NoiseFloor.measure(float32: golden.map { Double(Float($0)) }, float64: golden)

    static let golden: [Double] = [0.1, 0.7, 0.2, 0.6, 0.3, 0.1, 0.2, 0.2, 0.6, 0.9, 0.05, 0.05]

    /// The result of one cell; deterministic in (model, path).
    static func result(model: String, path: String) -> CellResult {
        var result = CellResult(model: model, path: path, durationSeconds: 1.25)
        let fp32Bytes = 400_000
        switch (model, path) {
        case (_, "fp32"):
            result.outputs = [output("probs", golden, golden, shape: [4, 3], Thresholds([.maxFloorRatio: 16]),
                                     noiseFloor: noiseFloor)]
            result.size = SizeMetrics(bytes: fp32Bytes, fp32Bytes: fp32Bytes)
            result.latency = LatencyMetrics(samplesMs: [2.0, 2.1, 2.2, 2.4, 2.0], warmupRuns: 2, fp32P50Ms: 2.1)
            result.accuracy = AccuracyMetrics(output: "probs", samples: 4, goldenAccuracy: 0.75, accuracy: 0.75)
        case (_, "fp16"):
            let actual = golden.map { $0 + 0.0004 }
            result.outputs = [output("probs", actual, golden, shape: [4, 3], Thresholds([.rtol: 1e-2, .atol: 1e-3, .minCosine: 0.999])),
                              output("boxes", [2, 2, 9, 9, 0, 0, 4, 4], [0, 0, 4, 4, 2, 2, 9, 9], shape: [2, 4],
                                     Thresholds([.atol: 1e-6], match: .detections))]
            result.size = SizeMetrics(bytes: fp32Bytes / 2, fp32Bytes: fp32Bytes)
            result.latency = LatencyMetrics(samplesMs: [2.5, 2.6, 2.7], warmupRuns: 2, fp32P50Ms: 2.1)
            result.accuracy = AccuracyMetrics(output: "probs", samples: 4, goldenAccuracy: 0.75, accuracy: 0.75)
            result.findings = [Finding(level: .warning, code: "unused-initializer", node: nil, op: nil,
                                       message: "initializer 'w<0>' & \"bias\" is unused", hint: "remove it with the fused path")]
        case ("resnet_tiny", "int8-static"):
            result.error = CellError(stage: .convert, message: "no calibration.h5 next to resnet_tiny/model.onnx; static quantization needs <inputs/…> ranges")
        case (_, "int8-static"):
            var actual = golden
            actual[1] = 0.1
            actual[4] = .nan
            result.outputs = [output("probs", actual, golden, shape: [4, 3], Thresholds([.minCosine: 0.99]))]
            result.size = SizeMetrics(bytes: fp32Bytes / 4 + 1_234, fp32Bytes: fp32Bytes)
            result.latency = LatencyMetrics(samplesMs: [1.5, 1.4, 1.6, 1.7], warmupRuns: 2, fp32P50Ms: 2.1)
            result.accuracy = AccuracyMetrics(output: "probs", samples: 4, goldenAccuracy: 0.75, accuracy: 0.5)
            result.diagnosis = Diagnosis(nodes: [
                .init(node: "conv1", op: "Conv", output: "c1", snrDB: 38.5, cosine: 0.9999, maxAbsError: 0.002),
                .init(node: "relu1", op: "Relu", output: "r1", snrDB: .infinity, cosine: 1, maxAbsError: 0),
                .init(node: "fc<1>", op: "Gemm", output: "logits", snrDB: 9.5, cosine: 0.93, maxAbsError: 0.6),
            ], thresholdSNRdB: 20)
            result.weightErrors = [WeightDeviation(initializer: "fc.weight", snrDB: 31.2, cosine: 0.9996, maxAbsError: 0.004)]
            result.budget = Thresholds([.maxAccuracyLoss: 0.01, .maxSizeRatio: 0.3])
        default:
            break
        }
        return result
    }

    static func results(for plan: CellPlan) -> [CellResult] {
        plan.cells.map { result(model: $0.model, path: $0.path) }
    }

    static func report(plan: CellPlan = plan(), digest: String = "0123456789abcdef", started: String = "2026-11-25T10:00:00Z") -> Report {
        Report(metadata: metadata(for: plan, digest: digest, started: started), results: results(for: plan))
    }

    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
