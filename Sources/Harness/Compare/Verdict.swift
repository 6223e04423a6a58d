/// The judgement of one cell: passed every gate, failed some (with a reason each), or could not
/// be judged because a stage failed.
public struct Verdict: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case pass, fail, error
    }

    public var status: Status
    /// One line per failed gate, or the stage error.
    public var reasons: [String]

    public init(status: Status, reasons: [String] = []) {
        self.status = status
        self.reasons = reasons
    }

    public static let pass = Verdict(status: .pass)

    /// True for `fail` and `error`: either makes `run` exit 1.
    public var isFailure: Bool { status != .pass }
}
