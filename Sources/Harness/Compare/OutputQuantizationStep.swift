import ModelIR

/// The spacing of the integer grid a quantized model's output is dequantized from.
///
/// An output that a `DequantizeLinear` with one constant scale produces (directly, or through
/// operators that only move values: Identity, Reshape, Flatten, Squeeze, Unsqueeze, Transpose)
/// takes its values on a grid of that scale. Two correct integer executions of such a graph may
/// round a requantization whose exact result lies on or next to a half-level differently:
/// TensorFlow Lite's reference kernels requantize with fixed-point multipliers and round half
/// away from zero, ONNX Runtime and this executor with float multipliers and round half to even.
/// Such an output may therefore differ from golden by one step wherever the network does not
/// amplify the flip; where it does, the float64 run of the noise floor measures the amplification.
public enum OutputQuantizationStep {
    /// Operators that pass values through unchanged, only moved.
    static let valuePreserving: Set<String> = ["Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose"]

    /// For every graph output of `model` on such a grid, by name: its step (the scale, > 0).
    public static func steps(of model: Model) -> [String: Double] {
        let graph = model.graph
        let producer = graph.producers()
        let inputs = Set(graph.inputs.map(\.name))
        func constant(_ name: String) -> Tensor? {
            guard !inputs.contains(name) else { return nil }
            if let tensor = graph.initializers.first(where: { $0.name == name }) { return tensor }
            guard let node = producer[name], node.opType == "Constant", node.domain.isEmpty || node.domain == "ai.onnx" else { return nil }
            return node.attribute("value")?.tensor
        }
        func step(of name: String) -> Double? {
            var value = name
            while let node = producer[value], node.domain.isEmpty || node.domain == "ai.onnx" {
                if valuePreserving.contains(node.opType), let input = node.inputs.first, !input.isEmpty {
                    value = input
                    continue
                }
                guard node.opType == "DequantizeLinear", node.inputs.count >= 2, node.attribute("block_size")?.int ?? 0 == 0,
                      let scale = constant(node.inputs[1]), scale.dataType.isFloatingPoint, scale.elementCount == 1,
                      let step = try? scale.doubleValues().first, step.isFinite, step > 0 else { return nil }
                return step
            }
            return nil
        }
        var steps: [String: Double] = [:]
        for output in graph.outputs {
            if let step = step(of: output.name) { steps[output.name] = step }
        }
        return steps
    }
}
