import Foundation
import ModelIR

/// The error a path introduced in the weights it kept under their fp32 names (pruned or fp16
/// initializers); quantized weights, stored under new names, are not compared.
public enum WeightComparison {
    /// One `WeightError` per floating-point initializer of `reference` that `model` holds under the
    /// same name and size with different values, in `reference` order.
    public static func compare(reference: Model, model: Model) -> [WeightError]? {
        var changed: [String: Tensor] = [:]
        for tensor in model.graph.initializers { changed[tensor.name] = tensor }
        var errors: [WeightError] = []
        for original in reference.graph.initializers where original.dataType.isFloatingPoint {
            guard let tensor = changed[original.name], tensor.dataType.isFloatingPoint, tensor.elementCount == original.elementCount,
                  !tensor.hasSameContent(as: original),
                  let golden = try? original.doubleValues(), let actual = try? tensor.doubleValues() else { continue }
            let node = DivergenceLocator.compare(node: original.name, op: "", output: original.name, actual: actual, golden: golden)
            errors.append(WeightError(initializer: original.name, snrDB: node.snrDB, cosine: node.cosine, maxAbsError: node.maxAbsError))
        }
        return errors.isEmpty ? nil : errors
    }
}
