enum ActivationKernels {
    static let all: [any Kernel.Type] = [
    ]
}
