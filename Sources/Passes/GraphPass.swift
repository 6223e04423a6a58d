import ModelIR

/// A graph-to-graph transformation run by the pass manager.
///
/// `run` rewrites `model` in place and returns whether it changed anything; the manager repeats
/// the passes of a stage until none does. A pass must leave a valid model behind (the manager
/// checks this in debug builds and tests) but may leave nodes out of topological order, unused
/// values and stale `value_info`: the manager sorts, and drops value_info before each pass.
public protocol GraphPass: Sendable {
    /// The name used in findings and errors.
    var name: String { get }
    func run(on model: inout Model, context: PassContext) throws -> Bool
}

/// Passes run together to a fixpoint, plus what must happen before they run.
public struct PassStage: Sendable {
    public var name: String
    public var passes: [any GraphPass]
    /// Run to a fixpoint (true) or once (false: passes that must not see their own output).
    public var repeats: Bool
    /// Activation statistics the stage needs before it runs (static quantization).
    public var calibration: CalibrationRequest?

    public init(name: String, passes: [any GraphPass], repeats: Bool = true, calibration: CalibrationRequest? = nil) {
        self.name = name
        self.passes = passes
        self.repeats = repeats
        self.calibration = calibration
    }
}
