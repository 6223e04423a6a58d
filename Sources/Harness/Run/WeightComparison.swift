import Foundation
import ModelIR

/// The error a path introduced in the weights: floating-point initializers it kept under their fp32
/// names (pruned or fp16 weights), and weights it stored quantized behind a `DequantizeLinear` of
/// constants (int8 paths), matched to the fp32 weight the same node reads in the same input slot.
public enum WeightComparison {
    /// One `WeightDeviation` per floating-point initializer of `reference` whose values `model` changed,
    /// in `reference` order.
    public static func compare(reference: Model, model: Model) -> [WeightDeviation]? {
        var changed: [String: [Double]] = [:]
        for tensor in model.graph.initializers where tensor.dataType.isFloatingPoint {
            if let values = try? tensor.doubleValues() { changed[tensor.name] = values }
        }
        for (name, values) in dequantizedWeights(reference: reference, model: model) where changed[name] == nil {
            changed[name] = values
        }
        var errors: [WeightDeviation] = []
        for original in reference.graph.initializers where original.dataType.isFloatingPoint {
            guard let actual = changed[original.name], actual.count == original.elementCount,
                  let golden = try? original.doubleValues(), actual != golden else { continue }
            let node = DivergenceLocator.compare(node: original.name, op: "", output: original.name, actual: actual, golden: golden)
            errors.append(WeightDeviation(initializer: original.name, snrDB: node.snrDB, cosine: node.cosine, maxAbsError: node.maxAbsError))
        }
        return errors.isEmpty ? nil : errors
    }

    /// The values of the `DequantizeLinear`-of-constants outputs that `model`'s nodes read where
    /// the node of the same name and op type in `reference` reads a float initializer, keyed by that
    /// initializer's name.
    static func dequantizedWeights(reference: Model, model: Model) -> [String: [Double]] {
        let initializers = Dictionary(model.graph.initializers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var producers: [String: Node] = [:]
        for node in model.graph.nodes where node.opType == "DequantizeLinear" && node.canonicalDomain.isEmpty {
            if let output = node.outputs.first { producers[output] = node }
        }
        let referenceInitializers = Set(reference.graph.initializers.filter { $0.dataType.isFloatingPoint }.map(\.name))
        let referenceNodes = Dictionary(reference.graph.nodes.filter { !$0.name.isEmpty }.map { ($0.name, $0) },
                                        uniquingKeysWith: { first, _ in first })
        var result: [String: [Double]] = [:]
        for node in model.graph.nodes where !node.name.isEmpty {
            guard let original = referenceNodes[node.name], original.opType == node.opType else { continue }
            for (slot, input) in node.inputs.enumerated() where slot < original.inputs.count {
                let weight = original.inputs[slot]
                guard referenceInitializers.contains(weight), result[weight] == nil, let producer = producers[input],
                      let values = dequantize(producer, initializers: initializers) else { continue }
                result[weight] = values
            }
        }
        return result
    }

    /// `(q − zero point) × scale` of a `DequantizeLinear` whose inputs are initializers, per tensor
    /// or along its `axis`; nil when an input is not a constant or the shapes do not fit.
    static func dequantize(_ node: Node, initializers: [String: Tensor]) -> [Double]? {
        guard node.inputs.count >= 2, let quantized = initializers[node.inputs[0]], let scaleTensor = initializers[node.inputs[1]],
              let values = try? quantized.doubleValues(), let scales = try? scaleTensor.doubleValues(), !scales.isEmpty else { return nil }
        var zeroPoints = [Double](repeating: 0, count: scales.count)
        if node.inputs.count > 2, !node.inputs[2].isEmpty {
            guard let tensor = initializers[node.inputs[2]], let points = try? tensor.doubleValues(), points.count == scales.count else { return nil }
            zeroPoints = points
        }
        if scales.count == 1 { return values.map { ($0 - zeroPoints[0]) * scales[0] } }
        let rank = quantized.shape.count
        var axis = Int(node.attribute("axis")?.int ?? 1)
        if axis < 0 { axis += rank }
        guard axis >= 0, axis < rank, quantized.shape[axis] == scales.count else { return nil }
        let inner = quantized.shape[(axis + 1)...].reduce(1, *)
        let channels = scales.count
        return values.indices.map { index in
            let channel = (index / max(inner, 1)) % channels
            return (values[index] - zeroPoints[channel]) * scales[channel]
        }
    }
}
