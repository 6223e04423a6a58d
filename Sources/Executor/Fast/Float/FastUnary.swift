import CFloatKernels
import ModelIR

/// Float Relu (NaN stays NaN), and Erf and Sigmoid with vectorized arithmetic (`mg_erf`,
/// `mg_sigmoid`: within 2 ulp), in one pass split over the threads; other types run the step's own
/// kernel.
struct FastUnary: Kernel {
    static let opType = "Unary", sinceVersion = 1
    enum Function { case relu, erf, sigmoid }

    let function: Function
    let fallback: any Kernel

    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastUnary is made from a prepared kernel") }

    private init(function: Function, fallback: any Kernel) {
        self.function = function
        self.fallback = fallback
    }

    /// The fast kernel in place of `step`'s, or nil when it computes none of these functions.
    static func replacing(_ step: PreparedGraph.Step) -> FastUnary? {
        guard step.domain.isEmpty else { return nil }
        if step.opType == "Relu" { return FastUnary(function: .relu, fallback: step.kernel) }
        if step.kernel is Erf_9 { return FastUnary(function: .erf, fallback: step.kernel) }
        if step.kernel is Sigmoid_1 { return FastUnary(function: .sigmoid, fallback: step.kernel) }
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
                    case .relu: for i in chunk { let v = source[i]; target[i] = v < 0 ? 0 : v }
                    case .erf: mg_erf(source + chunk.lowerBound, chunk.count, target + chunk.lowerBound)
                    case .sigmoid: mg_sigmoid(source + chunk.lowerBound, chunk.count, target + chunk.lowerBound)
                    }
                }
            }
        }
        return [.tensor(y)]
    }
}
