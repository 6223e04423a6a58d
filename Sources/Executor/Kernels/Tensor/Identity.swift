import ModelIR

/// Passes any value through (tensors; sequences from opset 14, optionals from 16).
struct Identity_1: Kernel, AttributeFreeKernel {
    static let opType = "Identity", sinceVersion = 1
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] { [inputs.first ?? nil] }
}
