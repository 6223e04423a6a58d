import GraphChecker
import ModelIR

/// Runs stages of passes over a model: each stage's passes in order, repeated until a round
/// changes nothing (or once, for stages that must not see their own output).
///
/// Before every pass the manager drops `value_info` (passes infer the types they need from the
/// current graph); after it, it restores topological order and — when `verifiesEachPass` is on,
/// as it is in debug builds and tests — checks the graph and stops at the first pass that leaves
/// it invalid, naming that pass. A model that was invalid on entry is not blamed on the passes:
/// verification is then skipped, with a finding.
public struct PassManager: Sendable {
    public var stages: [PassStage]
    public var verifiesEachPass: Bool
    public var maxRounds: Int

    #if DEBUG
    public static let verifiesByDefault = true
    #else
    public static let verifiesByDefault = false
    #endif

    public init(stages: [PassStage], verifiesEachPass: Bool = PassManager.verifiesByDefault, maxRounds: Int = 16) {
        self.stages = stages
        self.verifiesEachPass = verifiesEachPass
        self.maxRounds = maxRounds
    }

    /// The optimized model.
    /// - Throws: `PassError` for a pass that fails or leaves an invalid graph, or a stage without
    ///   the calibration it needs; errors thrown by passes pass through.
    public func run(_ input: Model, context: PassContext) throws -> Model {
        var model = input
        model.graph.valueInfo = []
        var verifying = verifiesEachPass
        if verifying, !GraphChecker(lint: false).check(model).isValid {
            verifying = false
            context.report(.warning, "input-invalid", "the input model does not pass the checker, so passes are not verified one by one")
        }
        for stage in stages {
            if let request = stage.calibration {
                guard let calibrator = context.calibrator else { throw PassError.missingCalibration(stage: stage.name) }
                context.calibration = try calibrator.calibrate(model, request: request)
            }
            var round = 0
            var changed = true
            while changed {
                round += 1
                if round > maxRounds { throw PassError.noFixpoint(stage: stage.name, rounds: maxRounds) }
                changed = false
                for pass in stage.passes {
                    model.graph.valueInfo = []
                    if try pass.run(on: &model, context: context) {
                        changed = true
                        model.graph.sortTopologically()
                        if verifying { try verify(model, after: pass.name) }
                    }
                }
                if !stage.repeats { break }
            }
            context.calibration = nil
        }
        model.graph.valueInfo = []
        return model
    }

    private func verify(_ model: Model, after pass: String) throws(PassError) {
        let report = GraphChecker(lint: false).check(model)
        guard report.isValid else {
            throw .invalidResult(pass: pass, errors: report.errors.map { ($0.node.map { "\($0): " } ?? "") + $0.message })
        }
    }
}
