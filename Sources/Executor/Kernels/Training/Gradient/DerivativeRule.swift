import ModelIR

/// The derivative of one operator, for reverse-mode differentiation (`Gradient`).
///
/// A rule is prepared once per node from its attributes, like a kernel. Given the values the node
/// read and wrote in the forward run and the gradient of the differentiated value with respect to
/// each of its outputs, it returns the gradient with respect to each of its inputs — the
/// vector-Jacobian product. A gradient always has the shape of the value it belongs to: a rule for
/// a broadcasting operator sums the gradient back to each input's shape.
protocol DerivativeRule: Sendable {
    /// The operator set domain; "" is the default ONNX domain.
    static var domain: String { get }
    static var opType: String { get }

    /// Prepares the rule for `node`: reads the attributes the derivative depends on.
    init(_ node: KernelNode) throws

    /// The gradients with respect to the node's inputs, one per input: nil where none flows (an
    /// omitted input, an integer input such as a shape or axes, or one `step.needsGradient` leaves out).
    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?]
}

extension DerivativeRule {
    static var domain: String { "" }
}

/// What a derivative rule sees of one node: its forward values, the gradients of its outputs and
/// which of its inputs the differentiated value depends on through it.
struct DerivativeStep {
    /// The forward inputs; nil for an omitted optional input.
    let inputs: [Tensor?]
    /// The forward outputs; nil for an output the node leaves unnamed.
    let outputs: [Tensor?]
    /// The gradient of each output; nil for an output the differentiated value does not depend on.
    let outputGradients: [GradientArray?]
    /// True for each input whose gradient is wanted.
    let needsGradient: [Bool]

    /// Input `index` as a real array.
    func input(_ index: Int) throws -> GradientArray {
        guard index < inputs.count, let tensor = inputs[index] else {
            throw KernelError.invalidInput("input \(index) has no value")
        }
        return try GradientArray(tensor)
    }

    /// The shape of input `index`.
    func inputShape(_ index: Int) throws -> [Int] {
        guard index < inputs.count, let tensor = inputs[index] else {
            throw KernelError.invalidInput("input \(index) has no value")
        }
        return tensor.shape
    }

    /// Output `index` as a real array.
    func output(_ index: Int) throws -> GradientArray {
        guard index < outputs.count, let tensor = outputs[index] else {
            throw KernelError.invalidInput("output \(index) has no value")
        }
        return try GradientArray(tensor)
    }

    /// The gradient of the node's first (only) output, zeros when none flows.
    func outputGradient() throws -> GradientArray {
        if let gradient = outputGradients.first ?? nil { return gradient }
        guard let output = outputs.first ?? nil else { throw KernelError.invalidInput("output 0 has no value") }
        return try GradientArray(repeating: 0, shape: output.shape)
    }

    /// True when the gradient of input `index` is wanted.
    func needs(_ index: Int) -> Bool { index < needsGradient.count && needsGradient[index] }

    /// `body()` for each input that needs a gradient, nil for the others; `count` inputs in all.
    func gradients(count: Int, _ body: (Int) throws -> GradientArray?) rethrows -> [GradientArray?] {
        try (0..<count).map { needs($0) ? try body($0) : nil }
    }
}
