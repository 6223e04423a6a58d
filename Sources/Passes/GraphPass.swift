import ModelIR

/// A graph-to-graph transformation run by the pass manager.
///
/// `run` rewrites `model` in place and returns whether it changed anything; the manager repeats
/// passes until none does.
public protocol GraphPass: Sendable {
    /// The name used in reports and `--path` compositions.
    var name: String { get }
    mutating func run(on model: inout Model) throws -> Bool
}
