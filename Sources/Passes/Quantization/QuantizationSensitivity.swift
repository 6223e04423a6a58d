import Foundation
import ModelIR

/// Runs candidate quantized models and says how far their outputs are from the float model's and
/// whether they meet the accuracy gates. Supplied by the harness (the executor, golden data and the
/// cell's thresholds); `AccuracyDrivenQuantization` and the int8 sensitivity table use it.
public protocol QuantizationJudging: AnyObject {
    /// Starts judging quantizations of `reference`, the float model they are made from.
    func begin(reference: Model) throws
    /// How many samples `noise(of:)` runs.
    var sensitivitySamples: Int { get }
    /// `candidate`'s noise against the reference's outputs, on the sensitivity samples.
    func noise(of candidate: Model) throws -> QuantizationNoise
    /// Whether `candidate` meets the gates, judged on all the evaluation data.
    func meetsGates(_ candidate: Model) throws -> QuantizationJudgement
}

/// Output noise: the power of `output − reference` over the power of `reference`, summed over
/// every float output and sample (the inverse of an SQNR).
public struct QuantizationNoise: Sendable, Hashable, Codable {
    public var ratio: Double

    public init(ratio: Double) { self.ratio = ratio }

    /// The signal-to-quantization-noise ratio in dB; +∞ for a noiseless candidate.
    public var sqnrDB: Double { ratio > 0 ? -10 * log10(ratio) : .infinity }
}

/// What the gates said of one candidate.
public struct QuantizationJudgement: Sendable, Hashable {
    public var passes: Bool
    /// The gates' reasons when it does not pass; what it measured when it does.
    public var summary: String

    public init(passes: Bool, summary: String) {
        self.passes = passes
        self.summary = summary
    }
}

/// One quantized node's share of an int8 model's output noise, measured by quantizing that node
/// alone (weights and input/output activations), its weights alone, and its activations alone.
public struct NodeSensitivity: Sendable, Hashable, Codable {
    public var node: String
    public var op: String
    /// Output noise with only this node quantized.
    public var alone: QuantizationNoise
    /// Output noise with only this node's weights in int8 (nil for a node without constant weights).
    public var weightsOnly: QuantizationNoise?
    /// Output noise with only this node's activations quantized.
    public var activationsOnly: QuantizationNoise
    /// `alone` over the sum of every node's `alone`.
    public var share: Double
    /// Kept in float32 by `int8-auto`.
    public var keptFloat: Bool

    public init(node: String, op: String, alone: QuantizationNoise, weightsOnly: QuantizationNoise?, activationsOnly: QuantizationNoise,
                share: Double = 0, keptFloat: Bool = false) {
        self.node = node
        self.op = op
        self.alone = alone
        self.weightsOnly = weightsOnly
        self.activationsOnly = activationsOnly
        self.share = share
        self.keptFloat = keptFloat
    }
}

/// The per-node sensitivity of an int8 path and, for `int8-auto`, the fallback it chose.
public struct QuantizationSensitivity: Sendable, Hashable, Codable {
    /// Most sensitive first.
    public var nodes: [NodeSensitivity]
    /// Output noise with every node quantized.
    public var fullyQuantized: QuantizationNoise
    /// Output noise of the model the path produced (the fully quantized one unless nodes were kept float).
    public var result: QuantizationNoise
    /// `int8-auto` only: the nodes kept float, in the order they were chosen.
    public var keptFloat: [String]
    /// `int8-auto` only: whether the produced model met the gates.
    public var gatesMet: Bool?
    /// `int8-auto` only: why it stopped (the gates' verdict on the produced model).
    public var stopReason: String?
    /// `int8-auto` only: the most nodes it could keep float (`max_float_fraction` of the quantized ones).
    public var floatLimit: Int?
    /// Candidate models the search judged against the gates.
    public var gateChecks: Int
    /// Samples the sensitivities were measured on.
    public var samples: Int
    /// Quantized nodes the table left out: `int8-static` stops measuring after `sensitivity_seconds`.
    public var unmeasuredNodes: Int?

    public init(nodes: [NodeSensitivity], fullyQuantized: QuantizationNoise, result: QuantizationNoise, keptFloat: [String] = [],
                gatesMet: Bool? = nil, stopReason: String? = nil, floatLimit: Int? = nil, gateChecks: Int = 0, samples: Int) {
        self.nodes = nodes
        self.fullyQuantized = fullyQuantized
        self.result = result
        self.keptFloat = keptFloat
        self.gatesMet = gatesMet
        self.stopReason = stopReason
        self.floatLimit = floatLimit
        self.gateChecks = gateChecks
        self.samples = samples
    }
}
