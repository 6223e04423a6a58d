enum ReductionKernels {
    static let all: [any Kernel.Type] = [
    ]
}
