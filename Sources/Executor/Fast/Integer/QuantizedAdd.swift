import CQuantizedKernels
import ModelIR

/// Add whose two inputs are `DequantizeLinear` of int8 or uint8 activations with per-tensor
/// parameters (the residual Add of a QDQ model), run on the integers in one pass (`mg_add_q8`):
/// each pair dequantized and summed in float as the three steps would, then, with `output`,
/// quantized as the QuantizeLinear reading the sum would.
///
/// Inputs: the two quantized tensors. Tensors of other types or shapes (broadcasting) are
/// dequantized and run by `fallback`, the step's own Add.
struct QuantizedAdd: QuantizingKernel {
    static let opType = "Add", sinceVersion = 1
    static let inputArity = 2...2

    let a: ScalarQuantization
    let b: ScalarQuantization
    let fallback: any Kernel
    /// The parameters the sum is quantized with; nil for a float sum.
    var output: ScalarQuantization?

    init(a: ScalarQuantization, b: ScalarQuantization, fallback: any Kernel) {
        self.a = a
        self.b = b
        self.fallback = fallback
    }

    init(_ node: KernelNode) throws {
        throw KernelError.invalidInput("QuantizedAdd is made by the executor's fast plan, not from a node")
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard inputs.count == 2, let x = inputs[0]?.tensor, let y = inputs[1]?.tensor else {
            throw KernelError.invalidInput("Add needs two tensors")
        }
        guard x.dataType == a.type, y.dataType == b.type, x.shape == y.shape else {
            return try ScalarQuantization.results(try fallback.run([.tensor(try a.dequantized(x)), .tensor(try b.dequantized(y))], context: context),
                                                  quantizedWith: output)
        }
        let (a, b) = (self.a, self.b)
        let result = try x.withUnsafeBytes { xs in
            try y.withUnsafeBytes { ys in
                try ScalarQuantization.results(quantizedWith: output, shape: x.shape) { target in
                    guard let p = xs.baseAddress?.assumingMemoryBound(to: UInt8.self),
                          let q = ys.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                    mg_add_q8(p, a.type == .int8 ? 1 : 0, a.zeroPoint, a.scale, q, b.type == .int8 ? 1 : 0, b.zeroPoint, b.scale,
                              xs.count, target)
                }
            }
        }
        return [.tensor(result)]
    }
}

extension QuantizedPlan {
    /// `step` (Add) run by `QuantizedAdd` on the integers, or nil when its inputs are not both
    /// quantized activations.
    static func add(_ step: PreparedGraph.Step, producers: [PreparedGraph.Step?], known: [RuntimeValue?],
                    slotNames: [String]) -> PreparedGraph.Step? {
        guard step.domain.isEmpty, step.opType == "Add", step.inputs.count == 2, producers.count == 2, step.outputs.count == 1,
              let left = activation(of: step.inputs[0], producer: producers[0], known: known),
              let right = activation(of: step.inputs[1], producer: producers[1], known: known) else { return nil }
        let fallback = FastBinary.replacing(step) ?? step.kernel
        return .init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset,
                     inputNames: [slotNames[left.slot], slotNames[right.slot]],
                     kernel: QuantizedAdd(a: left.parameters, b: right.parameters, fallback: fallback),
                     requiredInputs: 2, inputs: [left.slot, right.slot], outputs: step.outputs, release: step.release)
    }
}
