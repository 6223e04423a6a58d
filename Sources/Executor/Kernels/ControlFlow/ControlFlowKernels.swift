/// Operators that run subgraphs.
enum ControlFlowKernels {
    static let all: [any Kernel.Type] = [
        If_1.self, Loop_1.self, Scan_8.self, Scan_9.self,
    ]
}
