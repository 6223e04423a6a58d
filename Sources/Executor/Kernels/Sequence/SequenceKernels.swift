enum SequenceKernels {
    static let all: [any Kernel.Type] = [
    ]
}
