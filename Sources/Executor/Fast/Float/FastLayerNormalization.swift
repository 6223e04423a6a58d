import CFloatKernels
import ModelIR

/// Float LayerNormalization whose scale and bias hold one value per normalized position, with only
/// its first output read: vectorized rows (`mg_layer_norm_rows`) split over the threads. Anything
/// else runs `LayerNormalization_17`, which works in double.
struct FastLayerNormalization: TensorKernel {
    static let opType = "LayerNormalization", sinceVersion = 17
    static let inputArity = 2...3
    static let outputArity = 1...3
    let fallback: LayerNormalization_17

    init(fallback: LayerNormalization_17) { self.fallback = fallback }
    init(_ node: KernelNode) throws { fallback = try LayerNormalization_17(node) }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), scale = try inputs.required(1), bias = inputs.optional(2)
        let axis = fallback.axis < 0 ? fallback.axis + x.rank : fallback.axis
        guard x.dataType == .float, scale.dataType == .float, bias.map({ $0.dataType == .float }) ?? true,
              axis >= 0, axis < x.rank else { return try fallback.compute(inputs) }
        let length = x.shape[axis...].reduce(1, *)
        let rows = length > 0 ? x.elementCount / length : 0
        guard length > 0, length <= Int(Int32.max), rows <= Int(Int32.max), scale.elementCount == length,
              bias.map({ $0.elementCount == length }) ?? true else { return try fallback.compute(inputs) }
        let epsilon = fallback.epsilon
        let y = try x.withElements(Float.self) { xs in
            try scale.withElements(Float.self) { scales in
                try Tensor.overwritten(Float.self, shape: x.shape) { out in
                    guard let source = xs.baseAddress, let gamma = scales.baseAddress, let target = out.baseAddress else { return }
                    let run = { (beta: UnsafePointer<Float>?) in
                        ParallelFor.run(rows, grain: max(1, 16384 / length)) { chunk in
                            mg_layer_norm_rows(source + chunk.lowerBound * length, Int32(chunk.count), Int32(length), gamma, beta, epsilon,
                                               target + chunk.lowerBound * length)
                        }
                    }
                    if let bias {
                        try bias.withElements(Float.self) { run($0.baseAddress) }
                    } else {
                        run(nil)
                    }
                }
            }
        }
        return [y]
    }
}
