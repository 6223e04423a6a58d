import ModelIR

/// Float inference BatchNormalization on its own (not after a Conv): scale and shift per channel
/// in one pass. Other types run the step's own kernel.
struct FastBatchNormalization: Kernel {
    static let opType = "BatchNormalization", sinceVersion = 1
    static let inputArity = 5...5
    let epsilon: Double
    let fallback: any Kernel

    init(epsilon: Double, fallback: any Kernel) {
        self.epsilon = epsilon
        self.fallback = fallback
    }

    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastBatchNormalization is made from a prepared kernel") }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let tensors = inputs.map { $0?.tensor }
        guard tensors.count == 5, let x = tensors[0], x.dataType == .float, x.rank >= 2,
              let s = tensors[1], let b = tensors[2], let m = tensors[3], let v = tensors[4],
              [s, b, m, v].allSatisfy({ $0.elementCount == x.shape[1] }) else {
            return try fallback.run(inputs, context: context)
        }
        let scale = try s.doubleValues(), shift = try b.doubleValues(), mean = try m.doubleValues(), variance = try v.doubleValues()
        let channels = x.shape[1], plane = x.shape[2...].reduce(1, *)
        let a = (0..<channels).map { Float(scale[$0] / (variance[$0] + epsilon).squareRoot()) }
        let c = (0..<channels).map { Float(shift[$0] - mean[$0] * scale[$0] / (variance[$0] + epsilon).squareRoot()) }
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: x.shape) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress, plane > 0 else { return }
                ParallelFor.planes(x.shape) { row, positions in
                    let k = a[row % channels], d = c[row % channels]
                    let from = source + row * plane, to = target + row * plane
                    for i in positions { to[i] = from[i] * k + d }
                }
            }
        }
        return [.tensor(y)]
    }
}

/// Float Relu in one pass (NaN stays NaN); other types run the step's own kernel.
struct FastRelu: Kernel {
    static let opType = "Relu", sinceVersion = 1
    let fallback: any Kernel

    init(fallback: any Kernel) { self.fallback = fallback }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastRelu is made from a prepared kernel") }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard inputs.count == 1, let x = inputs[0]?.tensor, x.dataType == .float else {
            return try fallback.run(inputs, context: context)
        }
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: x.shape) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress else { return }
                ParallelFor.elements(x.shape) { chunk in
                    for i in chunk { let v = source[i]; target[i] = v < 0 ? 0 : v }
                }
            }
        }
        return [.tensor(y)]
    }
}
