import Foundation
import GraphChecker
import ModelIR

/// What passes share during one optimization: options, findings, and the services a pass may need
/// from layers above (constant evaluation and calibration, both supplied by the harness).
public final class PassContext {
    public var options: PassOptions
    /// What the passes found worth reporting (clamped weights, skipped nodes, sizes).
    public private(set) var findings: [Finding] = []
    /// Evaluates one node on constant inputs, for constant folding; nil disables folding.
    public var constantEvaluator: (any ConstantEvaluating)?
    /// Streams calibration data through a model and returns statistics of the requested values.
    public var calibrator: (any ActivationCalibrating)?
    /// Statistics gathered for the current stage.
    public var calibration: CalibrationTable?
    /// Runs candidate quantizations against the float model and the gates (`int8-auto`, and the
    /// sensitivity table of `int8-static`); nil when there is no evaluation data.
    public var judge: (any QuantizationJudging)?
    /// What the int8 stage measured of its nodes, when it had a judge.
    public var sensitivity: QuantizationSensitivity?

    public init(options: PassOptions = PassOptions(), constantEvaluator: (any ConstantEvaluating)? = nil,
                calibrator: (any ActivationCalibrating)? = nil, judge: (any QuantizationJudging)? = nil) {
        self.options = options
        self.constantEvaluator = constantEvaluator
        self.calibrator = calibrator
        self.judge = judge
    }

    public func report(_ level: Finding.Level = .info, _ code: String, node: Node? = nil, _ message: String, hint: String? = nil) {
        findings.append(Finding(level: level, code: code, node: node?.label, op: node?.opType, message: message, hint: hint))
    }
}

/// Computes the outputs of one node from constant inputs (constant folding).
public protocol ConstantEvaluating: Sendable {
    /// - Parameters:
    ///   - node: the node, whose inputs are all constant (or omitted).
    ///   - inputs: the values of `node.inputs`, nil for omitted ones.
    ///   - opsetImports: the model's opsets, to pick the operator version.
    func evaluate(_ node: Node, inputs: [Tensor?], opsetImports: [OpsetImport]) throws -> [Tensor]
}

/// Runs calibration samples through a model and gathers statistics of the named values.
public protocol ActivationCalibrating {
    func calibrate(_ model: Model, request: CalibrationRequest) throws -> CalibrationTable
}

/// Options keyed by name, as `corpus.yml` and `modelgate optimize --option key=value` give them.
public struct PassOptions: Sendable, Equatable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// Parses `key=value` items.
    /// - Throws: `PassError.invalidOption` for an item without `=`.
    public init(parsing items: [String]) throws(PassError) {
        var values: [String: String] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw .invalidOption(key: item, value: "", expected: "key=value")
            }
            values[String(item[..<equals]).trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")] =
                String(item[item.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        }
        self.values = values
    }

    /// These options overridden by `other` where both set a key.
    public func merging(_ other: PassOptions) -> PassOptions {
        PassOptions(values.merging(other.values) { $1 })
    }

    public func string(_ key: String) -> String? { values[key] }

    public func string(_ key: String, default value: String, allowed: Set<String>) throws(PassError) -> String {
        guard let raw = values[key] else { return value }
        let lowered = raw.lowercased()
        guard allowed.contains(lowered) else { throw .invalidOption(key: key, value: raw, expected: "one of " + allowed.sorted().joined(separator: ", ")) }
        return lowered
    }

    public func double(_ key: String, default value: Double) throws(PassError) -> Double {
        guard let raw = values[key] else { return value }
        guard let parsed = Double(raw), parsed.isFinite else { throw .invalidOption(key: key, value: raw, expected: "a number") }
        return parsed
    }

    public func int(_ key: String, default value: Int) throws(PassError) -> Int {
        guard let raw = values[key] else { return value }
        guard let parsed = Int(raw) else { throw .invalidOption(key: key, value: raw, expected: "an integer") }
        return parsed
    }

    public func bool(_ key: String, default value: Bool) throws(PassError) -> Bool {
        guard let raw = values[key] else { return value }
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw .invalidOption(key: key, value: raw, expected: "true or false")
        }
    }

    /// A comma-separated list; nil when the key is absent.
    public func list(_ key: String) -> [String]? {
        values[key].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }
}
