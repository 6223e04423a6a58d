import ModelIR

/// `Gradient` (ai.onnx.preview.training, version 1): the gradient of the tensor named by `y` with
/// respect to each tensor named in `xs`, by reverse-mode differentiation over the part of the
/// enclosing graph between `xs`/`zs` and `y`.
///
/// The node's inputs are the values of `xs` then `zs`; its outputs are the gradients, one per x,
/// each of that x's shape and type. The subgraph is run forward on those inputs, then every node
/// on a path from an x to `y` contributes its vector-Jacobian product through its derivative rule
/// (`DerivativeRules`), in double precision. When `y` has several elements the seed is all ones:
/// the result is the gradient of their sum. An x that `y` does not depend on gets zeros.
struct Gradient_1: Kernel {
    static let domain = "ai.onnx.preview.training"
    static let opType = "Gradient", sinceVersion = 1
    static let inputArity = 1...variadic
    static let outputArity = 1...variadic

    let plan: GradientPlan

    init(_ node: KernelNode) throws {
        guard let xs = try node.strings("xs"), !xs.isEmpty else {
            throw KernelError.invalidAttribute("attribute 'xs' must name at least one value to differentiate with respect to")
        }
        guard let y = try node.string("y"), !y.isEmpty else {
            throw KernelError.invalidAttribute("required attribute 'y' is missing")
        }
        let zs = try node.strings("zs") ?? []
        guard node.inputCount == xs.count + zs.count else {
            throw KernelError.invalidInput("the node has \(node.inputCount) inputs but xs and zs name \(xs.count + zs.count) values; list the value of each x, then of each z")
        }
        guard node.outputCount == xs.count else {
            throw KernelError.invalidInput("the node has \(node.outputCount) outputs but xs names \(xs.count) values; one gradient is produced per x")
        }
        plan = try GradientPlan(node, xs: xs, zs: zs, y: y)
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let recordedValues = try context.run(plan.forward, inputs: inputs)
        var forward: [String: Tensor] = [:]
        for (name, value) in zip(plan.forward.outputNames, recordedValues) { forward[name] = value?.tensor }
        for (name, value) in zip(plan.forward.inputNames, inputs) { forward[name] = value?.tensor }

        guard let yValue = forward[plan.y] else {
            throw KernelError.invalidInput("y '\(plan.y)' is not a tensor")
        }
        var gradients: [String: GradientArray] = [plan.y: try GradientArray(repeating: 1, shape: yValue.shape)]
        for step in plan.steps.reversed() {
            let outputGradients = step.outputs.map { gradients[$0] }
            guard outputGradients.contains(where: { $0 != nil }) else { continue }
            let inputs = step.inputs.map { $0.isEmpty ? nil : forward[$0] }
            let needs = zip(step.inputs, inputs).map { name, value in
                plan.differentiable.contains(name) && value?.dataType.isFloatingPoint == true
            }
            guard needs.contains(true) else { continue }
            let derivative = DerivativeStep(inputs: inputs, outputs: step.outputs.map { forward[$0] },
                                            outputGradients: outputGradients, needsGradient: needs)
            let inputGradients: [GradientArray?]
            do {
                inputGradients = try step.rule.inputGradients(derivative)
            } catch {
                throw KernelError.invalidInput("differentiating node '\(step.label)' (\(step.opType)): \(error)")
            }
            for (index, name) in step.inputs.enumerated() where needs[index] {
                guard index < inputGradients.count, let gradient = inputGradients[index] else { continue }
                guard let shape = inputs[index]?.shape, gradient.shape == shape else {
                    throw KernelError.invalidInput("differentiating node '\(step.label)' (\(step.opType)): the gradient of input '\(name)' has shape \(gradient.shape), not the input's")
                }
                gradients[name] = try gradients[name].map { try $0 + gradient } ?? gradient
            }
        }

        return try plan.xs.map { x -> RuntimeValue? in
            guard let value = forward[x] else { throw KernelError.invalidInput("x '\(x)' is not a tensor") }
            guard value.dataType.isFloatingPoint else {
                throw KernelError.unsupportedType("x '\(x)' is \(value.dataType); gradients are taken with respect to floating-point values")
            }
            let gradient = try gradients[x] ?? GradientArray(repeating: 0, shape: value.shape)
            return .tensor(try gradient.tensor(as: value.dataType))
        }
    }
}
