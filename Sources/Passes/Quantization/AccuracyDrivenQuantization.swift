import ModelIR

/// Static int8 quantization that measures each node's share of the output noise and, as
/// `int8-auto`, keeps the most sensitive nodes in float32 until the gates hold.
///
/// With a judge in the context (the harness's executor and the cell's gates):
/// 1. **Sensitivity** (the fast ranking): for every node `StaticQuantization` would quantize, the
///    output noise of the model with that node alone quantized — weights and activations, weights
///    only, activations only — on the judge's sensitivity samples. Nodes rank by the first, most
///    noise first. The calibration table is the stage's, computed once and shared by every candidate.
/// 2. **Fallback** (`int8-auto` only): the fully quantized model is judged by the gates; while it
///    fails, the next node of the ranking is kept float (`exclude_nodes`), up to
///    `max_float_fraction` (default 0.25) of the quantized nodes. The search stops at the first
///    candidate that meets the gates.
/// 3. **Exact re-check** (`int8-auto` only): each node kept float, least sensitive first, is
///    quantized again when the gates still hold without it, so no node stays float that the gates
///    do not need.
///
/// The result (`PassContext.sensitivity`) lists every node's sensitivity and the fallback. Without
/// a judge, `int8-static` quantizes as `StaticQuantization` and records nothing; `int8-auto` is an
/// error, since it cannot judge. Options are `StaticQuantization`'s plus `max_float_fraction`,
/// `sensitivity=false` (skip the table on `int8-static`) and `sensitivity_seconds` (default 60 on
/// `int8-static`, unlimited on `int8-auto`, whose search needs the whole ranking): the table is
/// three executor runs per node, minutes on a large detector, so `int8-static` stops measuring
/// once that much time is spent (after the first node) and records the nodes left unmeasured.
public struct AccuracyDrivenQuantization: GraphPass {
    public let name: String
    let options: PassOptions
    let quantization: StaticQuantization
    let searchesFallback: Bool
    let measuresSensitivity: Bool
    let maxFloatFraction: Double
    /// How long the sensitivity table may take before the nodes not yet measured are left out.
    let sensitivitySeconds: Double

    public var calibrationRequest: CalibrationRequest { quantization.calibrationRequest }

    /// - Parameter searchesFallback: true for `int8-auto`, false for `int8-static`.
    public init(options: PassOptions, searchesFallback: Bool) throws(PassError) {
        name = searchesFallback ? "int8-auto" : "int8-static"
        self.options = options
        quantization = try StaticQuantization(options: options)
        self.searchesFallback = searchesFallback
        let sensitivity = try options.bool("sensitivity", default: true)
        measuresSensitivity = searchesFallback || sensitivity
        maxFloatFraction = try options.double("max_float_fraction", default: 0.25)
        guard maxFloatFraction >= 0, maxFloatFraction <= 1 else {
            throw .invalidOption(key: "max_float_fraction", value: String(maxFloatFraction), expected: "a fraction in [0, 1]")
        }
        sensitivitySeconds = try options.double("sensitivity_seconds", default: searchesFallback ? .infinity : Self.defaultSensitivitySeconds)
        guard sensitivitySeconds > 0 else {
            throw .invalidOption(key: "sensitivity_seconds", value: String(sensitivitySeconds), expected: "a positive number of seconds")
        }
    }

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        guard measuresSensitivity, let judge = context.judge, let table = context.calibration, Int(model.opsetVersion(for: "") ?? 1) >= 10 else {
            if searchesFallback, context.judge == nil {
                throw PassError.unsupported(pass: name, node: "", reason: "int8-auto judges candidates on evaluation data; "
                                            + "give calibration data (and gates: --option min_cosine=… or max_accuracy_loss=…)")
            }
            return try quantization.run(on: &model, context: context)
        }
        let reference = model
        let excluded = options.list("exclude_nodes") ?? []
        let keepingFloat = { (kept: [String]) in ["exclude_nodes": (excluded + kept).joined(separator: ",")] }
        try judge.begin(reference: reference)
        let candidates = quantization.quantizableNodes(in: reference.graph, table: table).filter { !$0.name.isEmpty }
        func quantized(_ changes: [String: String]) throws -> Model {
            var candidateOptions = options
            for (key, value) in changes { candidateOptions.values[key] = value }
            var result = reference
            _ = try StaticQuantization(options: candidateOptions).run(on: &result, context: PassContext(options: candidateOptions).with(calibration: table))
            result.graph.sortTopologically()
            return result
        }
        var nodes: [NodeSensitivity] = []
        let started = ContinuousClock.now
        for node in candidates {
            guard nodes.isEmpty || (ContinuousClock.now - started).seconds < sensitivitySeconds else { break }
            let only = ["include_nodes": node.name, "exclude_nodes": "", "weight_only_op_types": "none"]
            let hasWeight = StaticQuantization.weight(of: node, in: reference.graph) != nil
            nodes.append(NodeSensitivity(
                node: node.name, op: node.opType,
                alone: try judge.noise(of: quantized(only)),
                weightsOnly: hasWeight ? try judge.noise(of: quantized(only.merging(["quantize_activations": "false"]) { $1 })) : nil,
                activationsOnly: try judge.noise(of: quantized(only.merging(["quantize_weights": "false"]) { $1 }))))
        }
        let total = nodes.reduce(0) { $0 + $1.alone.ratio }
        for index in nodes.indices { nodes[index].share = total > 0 ? nodes[index].alone.ratio / total : 0 }
        nodes.sort { ($0.alone.ratio, $1.node) > ($1.alone.ratio, $0.node) }
        let full = try quantized([:])
        let fullNoise = try judge.noise(of: full)
        var sensitivity = QuantizationSensitivity(nodes: nodes, fullyQuantized: fullNoise, result: fullNoise, samples: judge.sensitivitySamples)
        if nodes.count < candidates.count {
            sensitivity.unmeasuredNodes = candidates.count - nodes.count
            context.report(.info, name, "sensitivity table: \(nodes.count) of \(candidates.count) quantized nodes measured within "
                           + "sensitivity_seconds=\(Self.number(sensitivitySeconds)); set --option sensitivity_seconds=… (or the path's "
                           + "options in corpus.yml) to measure them all, or sensitivity=false to skip the table")
        }
        if searchesFallback {
            let limit = Int((maxFloatFraction * Double(nodes.count)).rounded(.down))
            var kept: [String] = []
            var chosen = full
            var verdict = try judge.meetsGates(full)
            var checks = 1
            while !verdict.passes, kept.count < limit {
                kept.append(nodes[kept.count].node)
                chosen = try quantized(keepingFloat(kept))
                verdict = try judge.meetsGates(chosen)
                checks += 1
            }
            if verdict.passes, kept.count > 1 {
                for node in kept.reversed() {
                    let fewer = kept.filter { $0 != node }
                    let candidate = try quantized(keepingFloat(fewer))
                    let recheck = try judge.meetsGates(candidate)
                    checks += 1
                    if recheck.passes { kept = fewer; verdict = recheck; chosen = candidate }
                }
            }
            let keptSet = Set(kept)
            for index in sensitivity.nodes.indices { sensitivity.nodes[index].keptFloat = keptSet.contains(sensitivity.nodes[index].node) }
            sensitivity.keptFloat = kept
            sensitivity.gatesMet = verdict.passes
            sensitivity.stopReason = verdict.summary
            sensitivity.floatLimit = limit
            sensitivity.gateChecks = checks
            if !kept.isEmpty {
                sensitivity.result = try judge.noise(of: chosen)
            }
            let outcome = verdict.passes ? "meets the gates" : "does not meet the gates within max_float_fraction \(maxFloatFraction) (\(limit) nodes)"
            context.report(verdict.passes ? .info : .warning, "int8-auto",
                           "\(kept.count) of \(nodes.count) quantized nodes kept in float32 (\(kept.joined(separator: ", "))); "
                           + "the model \(outcome) after \(checks) gate check\(checks == 1 ? "" : "s"): \(verdict.summary)")
        }
        context.sensitivity = sensitivity
        let finalOptions = PassOptions(options.values.merging(keepingFloat(sensitivity.keptFloat)) { $1 })
        return try StaticQuantization(options: finalOptions).run(on: &model, context: context)
    }
}

extension AccuracyDrivenQuantization {
    /// `sensitivity_seconds` on `int8-static`.
    public static let defaultSensitivitySeconds = 60.0

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

extension PassContext {
    /// This context with `calibration` set, for a candidate run inside a stage.
    func with(calibration table: CalibrationTable) -> PassContext {
        calibration = table
        return self
    }
}
