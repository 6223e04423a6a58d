import ModelIR

/// A step's kernel with the QuantizeLinear that is the only reader of its output run inside it,
/// so the plan has one step fewer; the results are those of the two steps.
struct QuantizingOutput: Kernel {
    static let opType = "QuantizeLinear", sinceVersion = 10
    static let inputArity = 0...variadic
    static let outputArity = 1...1
    let inner: any Kernel
    let quantize: FastQuantizeLinear
    /// The QuantizeLinear's scale and zero point (nil when absent).
    let parameters: [RuntimeValue?]

    /// The parameters as per-tensor ones, when `quantize` would run them as such.
    let scalar: ScalarQuantization?

    init(inner: any Kernel, quantize: FastQuantizeLinear, parameters: [RuntimeValue?]) {
        self.inner = inner
        self.quantize = quantize
        self.parameters = parameters
        scalar = quantize.scalarParameters(parameters)
    }

    init(_ node: KernelNode) throws {
        throw KernelError.invalidInput("QuantizingOutput is made by the executor's fast plan, not from a node")
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let results = try inner.run(inputs, context: context)
        guard let first = results.first ?? nil else { throw KernelError.invalidInput("the quantized step produced no output") }
        if let scalar, let x = first.tensor, x.dataType == .float { return [.tensor(try scalar.quantized(x))] }
        return try quantize.run([first] + parameters, context: context)
    }
}

/// A step's kernel with the DequantizeLinear that feeds its input `position` (and nothing else)
/// run inside it, so the plan has one step fewer; the results are those of the two steps.
struct DequantizingInput: Kernel {
    static let opType = "DequantizeLinear", sinceVersion = 10
    static let inputArity = 0...variadic
    static let outputArity = 0...variadic
    let inner: any Kernel
    let position: Int
    let dequantize: FastDequantizeLinear
    /// The DequantizeLinear's scale and zero point (nil when absent).
    let parameters: [RuntimeValue?]

    /// The parameters as per-tensor ones, when `dequantize` would run them as such.
    let scalar: ScalarQuantization?

    init(inner: any Kernel, position: Int, dequantize: FastDequantizeLinear, parameters: [RuntimeValue?]) {
        self.inner = inner
        self.position = position
        self.dequantize = dequantize
        self.parameters = parameters
        scalar = dequantize.scalarParameters(parameters)
    }

    init(_ node: KernelNode) throws {
        throw KernelError.invalidInput("DequantizingInput is made by the executor's fast plan, not from a node")
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        var arguments = inputs
        guard position < arguments.count, let value = arguments[position] else {
            throw KernelError.invalidInput("input \(position) has no value to dequantize")
        }
        if let scalar, let x = value.tensor, x.dataType == scalar.type {
            arguments[position] = .tensor(try scalar.dequantized(x))
        } else {
            arguments[position] = try dequantize.run([value] + parameters, context: context).first ?? nil
        }
        return try inner.run(arguments, context: context)
    }
}

extension QuantizedPlan {
    /// `steps` with every QuantizeLinear that is the only reader of a single-output step's result,
    /// and every DequantizeLinear whose result only one step reads, run inside that step
    /// (`QuantizingOutput`, `DequantizingInput`); both need constant parameters. The absorbing
    /// step's op type says so (`Mul+QuantizeLinear`, `DequantizeLinear+Concat`): it reads or writes
    /// integers, and no pass that chooses steps by op type takes it for the float operator.
    /// Releases are recomputed by `pruned`.
    static func absorbingQuantization(_ steps: [PreparedGraph.Step], graph: PreparedGraph, known: [RuntimeValue?]) -> [PreparedGraph.Step] {
        let readers = graph.readerCounts(steps)
        func constantParameters(_ step: PreparedGraph.Step) -> [RuntimeValue?]? {
            var values: [RuntimeValue?] = []
            for slot in step.inputs.dropFirst() {
                guard let slot else { values.append(nil); continue }
                guard let value = known[slot] else { return nil }
                values.append(value)
            }
            return values
        }
        var result = steps
        var removed = Set<Int>()
        for (index, step) in steps.enumerated() where !removed.contains(index) {
            guard step.domain.isEmpty, let output = step.outputs.first ?? nil, readers[output] == 1 else { continue }
            if step.kernel is FastDequantizeLinear, let parameters = constantParameters(step), let source = step.inputs.first ?? nil,
               let reader = steps.indices.dropFirst(index + 1).first(where: { steps[$0].inputs.contains(output) }),
               !removed.contains(reader), !(result[reader].kernel is FastQuantizeLinear), !(result[reader].kernel is FastDequantizeLinear),
               let dequantize = step.kernel as? FastDequantizeLinear, let position = result[reader].inputs.firstIndex(of: output) {
                var inputs = result[reader].inputs
                inputs[position] = source
                result[reader] = .init(label: result[reader].label, opType: "DequantizeLinear+" + result[reader].opType, domain: result[reader].domain,
                                       opset: result[reader].opset, inputNames: result[reader].inputNames,
                                       kernel: DequantizingInput(inner: result[reader].kernel, position: position, dequantize: dequantize,
                                                                 parameters: parameters),
                                       requiredInputs: result[reader].requiredInputs, inputs: inputs, outputs: result[reader].outputs,
                                       release: [])
                removed.insert(index)
                continue
            }
            let current = result[index]
            guard !(current.kernel is FastQuantizeLinear), !(current.kernel is FastDequantizeLinear), current.outputs.count == 1,
                  let reader = steps.indices.dropFirst(index + 1).first(where: { steps[$0].inputs.contains(output) }),
                  !removed.contains(reader), steps[reader].inputs.first == output,
                  let quantize = result[reader].kernel as? FastQuantizeLinear, let parameters = constantParameters(steps[reader]) else { continue }
            let absorbed: any Kernel
            if let inner = current.kernel as? any QuantizingKernel, let scalar = quantize.scalarParameters(parameters) {
                absorbed = inner.quantizingOutput(scalar)
            } else {
                absorbed = QuantizingOutput(inner: current.kernel, quantize: quantize, parameters: parameters)
            }
            result[index] = .init(label: current.label, opType: current.opType + "+QuantizeLinear", domain: current.domain, opset: current.opset,
                                  inputNames: current.inputNames, kernel: absorbed,
                                  requiredInputs: current.requiredInputs, inputs: current.inputs, outputs: steps[reader].outputs, release: [])
            removed.insert(reader)
        }
        return result.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }
}
