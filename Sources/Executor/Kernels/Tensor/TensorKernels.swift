enum TensorKernels {
    static let all: [any Kernel.Type] = [
    ]
}
