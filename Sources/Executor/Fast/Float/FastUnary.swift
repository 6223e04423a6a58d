import CFloatKernels
import ModelIR

/// Float Relu (NaN stays NaN), and Erf, Sigmoid and SiLU (`x · sigmoid(x)`, a Sigmoid and the Mul
/// reading it fused by `fusingSiLU`) with vectorized arithmetic (`mg_erf`, `mg_sigmoid`,
/// `mg_silu`: the sigmoid within 2 ulp), in one pass split over the threads; other types run the
/// replaced steps' own kernels.
struct FastUnary: Kernel {
    static let opType = "Unary", sinceVersion = 1
    enum Function { case relu, erf, sigmoid, silu }

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
                    case .silu: mg_silu(source + chunk.lowerBound, chunk.count, target + chunk.lowerBound)
                    }
                }
            }
        }
        return [.tensor(y)]
    }
}

extension FastUnary {
    /// `steps` with every fast Sigmoid whose only reader is a fast Mul of the Sigmoid's own input
    /// (`x · sigmoid(x)`, EfficientNet's and RegNet's SiLU) made one SiLU step in the Mul's place.
    /// Slots read by later steps or the graph's outputs (`graph`) are never fused away.
    static func fusingSiLU(_ steps: [PreparedGraph.Step], graph: PreparedGraph) -> [PreparedGraph.Step] {
        let readers = graph.readerCounts(steps)
        var readerIndex: [Int: Int] = [:]
        for (index, step) in steps.enumerated() { for slot in step.inputs { if let slot { readerIndex[slot] = index } } }
        var fusedInto: [Int: PreparedGraph.Step] = [:]
        var removed = Set<Int>()
        for (index, step) in steps.enumerated() {
            guard let sigmoid = step.kernel as? FastUnary, sigmoid.function == .sigmoid, step.inputs.count == 1,
                  let x = step.inputs[0], step.outputs.count == 1, let s = step.outputs[0], readers[s] == 1,
                  let next = readerIndex[s], next > index, fusedInto[next] == nil,
                  let multiply = steps[next].kernel as? FastBinary, multiply.operation == .multiply,
                  steps[next].inputs.count == 2, Set(steps[next].inputs.compactMap { $0 }) == [x, s],
                  steps[next].outputs.count == 1, let output = steps[next].outputs[0] else { continue }
            let mul = steps[next]
            let steps = SiLUSteps(sigmoid: sigmoid, multiply: multiply, sigmoidFirst: mul.inputs[0] == s)
            let xName = step.inputNames[0]
            var release = step.release + mul.release
            release.removeAll { $0 == s || $0 == output }
            removed.insert(index)
            fusedInto[next] = .init(label: mul.label, opType: mul.opType, domain: mul.domain, opset: mul.opset, inputNames: [xName],
                                    kernel: FastUnary(function: .silu, fallback: steps), requiredInputs: 1, inputs: [x],
                                    outputs: [output], release: release)
        }
        guard !removed.isEmpty else { return steps }
        return steps.indices.compactMap { removed.contains($0) ? nil : (fusedInto[$0] ?? steps[$0]) }
    }
}

/// `x · sigmoid(x)` as the two steps a SiLU replaced compute it, for inputs the fused kernel does
/// not take.
private struct SiLUSteps: Kernel {
    static let opType = "SiLU", sinceVersion = 1
    let sigmoid: FastUnary
    let multiply: FastBinary
    /// Whether the Mul read the sigmoid as its first input.
    let sigmoidFirst: Bool

    init(sigmoid: FastUnary, multiply: FastBinary, sigmoidFirst: Bool) {
        self.sigmoid = sigmoid
        self.multiply = multiply
        self.sigmoidFirst = sigmoidFirst
    }

    init(_ node: KernelNode) throws { throw KernelError.unsupported("SiLUSteps is made by the fast plan") }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let s = try sigmoid.fallback.run(inputs, context: context).first ?? nil
        let x = inputs.first ?? nil
        return try multiply.run(sigmoidFirst ? [s, x] : [x, s], context: context)
    }
}
