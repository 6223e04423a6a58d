enum ControlFlowKernels {
    static let all: [any Kernel.Type] = [
    ]
}
