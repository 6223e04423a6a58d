import CFloatKernels
import ModelIR

/// Float Erf and Sigmoid with vectorized arithmetic (`mg_erf`, `mg_sigmoid`: within 2 ulp), split
/// over the threads; other types run the step's own kernel.
struct FastUnary: Kernel {
    static let opType = "Unary", sinceVersion = 1
    enum Function { case erf, sigmoid }

    let function: Function
    let fallback: any Kernel

    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastUnary is made from a prepared kernel") }

    private init(function: Function, fallback: any Kernel) {
        self.function = function
        self.fallback = fallback
    }

    /// The fast kernel in place of `kernel`, or nil when it computes neither function.
    static func replacing(_ kernel: any Kernel) -> FastUnary? {
        if kernel is Erf_9 { return FastUnary(function: .erf, fallback: kernel) }
        if kernel is Sigmoid_1 { return FastUnary(function: .sigmoid, fallback: kernel) }
        return nil
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard inputs.count == 1, let x = inputs[0]?.tensor, x.dataType == .float else {
            return try fallback.run(inputs, context: context)
        }
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: x.shape) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress else { return }
                ParallelFor.elements(x.shape) { chunk in
                    switch function {
                    case .erf: mg_erf(source + chunk.lowerBound, chunk.count, target + chunk.lowerBound)
                    case .sigmoid: mg_sigmoid(source + chunk.lowerBound, chunk.count, target + chunk.lowerBound)
                    }
                }
            }
        }
        return [.tensor(y)]
    }
}
