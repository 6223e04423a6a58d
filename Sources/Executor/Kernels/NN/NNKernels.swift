enum NNKernels {
    static let all: [any Kernel.Type] = [
    ]
}
