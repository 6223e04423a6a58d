enum LogicKernels {
    static let all: [any Kernel.Type] = [
    ]
}
