import Executor
import Foundation
import ModelIR

/// Locates where a path's graph departs from the fp32 graph: both run on the same inputs, tensors
/// matched by name, and each compared (SNR, cosine, max abs error) in the path graph's execution
/// order.
///
/// The fp32 graph's floating-point values that the path graph also computes are kept until
/// `memoryBudgetBytes` is spent, in execution order; the path graph's values are compared as they
/// are computed and dropped. A large model (torchvision MViT's 13 000 nodes on a 16-frame clip)
/// is thus compared over its first nodes rather than holding every intermediate of two runs.
public struct DivergenceLocator {
    /// Nodes kept in the table: the worst by SNR (plus the first diverging one), in execution order.
    public var tableSize: Int
    /// Bytes of fp32-graph values kept for the comparison (as float64 values, 8 bytes per element).
    public var memoryBudgetBytes: Int

    /// 2 GiB.
    public static let defaultMemoryBudgetBytes = 2 << 30

    public init(tableSize: Int = 10, memoryBudgetBytes: Int = DivergenceLocator.defaultMemoryBudgetBytes) {
        self.tableSize = tableSize
        self.memoryBudgetBytes = memoryBudgetBytes
    }

    /// The SNR below which a node diverges, from an output's thresholds: `min_snr_db`, else the
    /// SNR that `min_cosine` implies (cos ≈ 1 − 1/(2·SNR)), else the one `rtol` implies, else 20 dB.
    public static func thresholdSNRdB(_ thresholds: Thresholds) -> Double {
        if let snr = thresholds[.minSNRdB] { return snr }
        if let cosine = thresholds[.minCosine], cosine < 1 { return 10 * log10(1 / (2 * (1 - cosine))) }
        if let rtol = thresholds[.rtol], rtol > 0 { return -20 * log10(rtol) }
        return 20
    }

    /// The SNR below which a node diverges, for an output judged against its noise floor: the
    /// floor's own SNR less the allowed ratio (`max_floor_ratio` k allows an error k times the
    /// floor, 20·log10 k dB less), so a node is flagged once it is further from the fp32 graph
    /// than the whole model may be from golden. Without a floor, `thresholdSNRdB(_:)`.
    public static func thresholdSNRdB(_ thresholds: Thresholds, noiseFloor: NoiseFloor?) -> Double {
        guard let ratio = thresholds[.maxFloorRatio], ratio > 0, let floor = noiseFloor else { return thresholdSNRdB(thresholds) }
        let snr = floor.snrDB.isFinite ? floor.snrDB : Self.float32SNRdB
        return min(snr, Self.float32SNRdB) - 20 * log10(ratio)
    }

    /// The SNR of a single float32 rounding (2⁻²⁴ relative): about 144 dB.
    static let float32SNRdB = -20 * log10(Double(Float.ulpOfOne) / 2)

    /// Compares the intermediates of `model` with those of `reference` on `feeds`.
    public func diagnose(reference: Evaluator, model: Evaluator, feeds: [String: Tensor], thresholdSNRdB: Double) throws -> Diagnosis {
        let wanted = Set(model.model.graph.nodes.flatMap(\.outputs))
        var referenceValues: [String: [Double]] = [:]
        var budget = memoryBudgetBytes
        func keep(_ named: NamedValue) {
            guard budget > 0, referenceValues[named.name] == nil, wanted.contains(named.name), let tensor = named.value.tensor,
                  tensor.dataType.isFloatingPoint, tensor.elementCount > 0 else { return }
            let bytes = tensor.elementCount * MemoryLayout<Double>.size
            guard bytes <= budget, let values = try? tensor.doubleValues() else { budget = 0; return }
            referenceValues[named.name] = values
            budget -= bytes
        }
        for output in try reference.run(tensors: try Self.matching(feeds, reference), observe: keep) { keep(output) }
        let producers = model.model.graph.producers()
        var compared: [Diagnosis.NodeDeviation] = []
        var seen = Set<String>()
        func compare(_ named: NamedValue) {
            guard seen.insert(named.name).inserted, let golden = referenceValues[named.name], let tensor = named.value.tensor,
                  tensor.dataType.isFloatingPoint, golden.count == tensor.elementCount, let a = try? tensor.doubleValues() else { return }
            let node = producers[named.name]
            compared.append(Self.compare(node: node?.label ?? named.name, op: node?.opType ?? "", output: named.name, actual: a, golden: golden))
        }
        for output in try model.run(tensors: try Self.matching(feeds, model), observe: compare) { compare(output) }
        let first = compared.first { $0.snrDB < thresholdSNRdB }
        let worst = Set(compared.indices.sorted { (compared[$0].snrDB, $0) < (compared[$1].snrDB, $1) }.prefix(tableSize))
        let table = compared.indices.filter { worst.contains($0) || compared[$0].output == first?.output }.map { compared[$0] }
        return Diagnosis(firstDivergingNode: first?.node, firstDivergingOp: first?.op, thresholdSNRdB: thresholdSNRdB, nodes: table)
    }

    static func compare(node: String, op: String, output: String, actual: [Double], golden: [Double]) -> Diagnosis.NodeDeviation {
        var signal = 0.0, noise = 0.0, dot = 0.0, normA = 0.0, maxAbs = 0.0
        for (a, g) in zip(actual, golden) {
            let d = a - g
            if !d.isFinite { maxAbs = .infinity; noise = .infinity; continue }
            signal += g * g
            noise += d * d
            dot += a * g
            normA += a * a
            maxAbs = max(maxAbs, abs(d))
        }
        let snr = noise == 0 ? Double.infinity : (signal == 0 ? -Double.infinity : 10 * log10(signal / noise))
        let cosine: Double = (signal == 0 && normA == 0) ? 1 : (signal == 0 || normA == 0 ? 0 : dot / (signal.squareRoot() * normA.squareRoot()))
        return Diagnosis.NodeDeviation(node: node, op: op, output: output, snrDB: snr, cosine: min(1, max(-1, cosine)), maxAbsError: maxAbs)
    }

    private static func matching(_ feeds: [String: Tensor], _ evaluator: Evaluator) throws -> [String: Tensor] {
        try SampleBatches.feeds(for: evaluator.requiredInputs, from: feeds, file: "the golden inputs")
    }
}
