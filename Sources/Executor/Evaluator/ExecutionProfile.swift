import Dispatch

/// Where the time of repeated runs goes, step by step: filled by `Evaluator.run(_:profile:)`, one
/// entry per step of the plan the runs took (a fused step stands for the nodes it absorbed).
public final class ExecutionProfile: @unchecked Sendable {
    /// One step of the plan: the node it came from, the kernel that ran it, and its accumulated time.
    public struct Entry: Sendable {
        /// The node's name, or its op type and index when it has none.
        public let node: String
        public let opType: String
        /// The kernel's type name (`FusedConv` for a Conv that absorbed its BatchNormalization and Relu).
        public let kernel: String
        public internal(set) var nanoseconds: UInt64 = 0
        public internal(set) var calls = 0
    }

    public private(set) var entries: [Entry] = []
    /// Runs recorded.
    public private(set) var runs = 0

    public init() {}

    /// Accumulated time per kernel, largest first.
    public var byKernel: [(kernel: String, opType: String, steps: Int, nanoseconds: UInt64)] {
        var totals: [String: (opType: String, steps: Int, nanoseconds: UInt64)] = [:]
        for entry in entries {
            let key = entry.kernel == entry.opType ? entry.opType : "\(entry.kernel) (\(entry.opType))"
            totals[key, default: (entry.opType, 0, 0)].steps += 1
            totals[key]!.nanoseconds += entry.nanoseconds
        }
        return totals.map { ($0.key, $0.value.opType, $0.value.steps, $0.value.nanoseconds) }
            .sorted { $0.nanoseconds > $1.nanoseconds }
    }

    func begin(_ graph: PreparedGraph) {
        if entries.count != graph.steps.count {
            entries = graph.steps.map { Entry(node: $0.label, opType: $0.opType, kernel: String(describing: type(of: $0.kernel))) }
        }
        runs += 1
    }

    func record(step: Int, since start: UInt64) {
        entries[step].nanoseconds += DispatchTime.now().uptimeNanoseconds - start
        entries[step].calls += 1
    }
}
