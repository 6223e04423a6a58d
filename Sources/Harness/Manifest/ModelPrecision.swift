import ModelIR
import Passes

/// The numeric precision a converted model computes in, read from the model itself: what an
/// external path is judged by when `corpus.yml` says nothing else.
public enum ModelPrecision: String, Sendable, Hashable, Codable, CaseIterable {
    /// Float32 weights and compute: judged like `fp32`, against the noise floor.
    case float32
    /// Float16 (or bfloat16) weights or compute: judged like `fp16`.
    case float16
    /// Quantized (QDQ pairs, QLinear or integer-product operators): judged like `int8-static`.
    case int8

    /// The built-in path component whose defaults judge a model of this precision.
    public var pathComponent: OptimizationPath.Component {
        switch self {
        case .float32: .fp32
        case .float16: .fp16
        case .int8: .int8Static
        }
    }

    /// Operators that only quantized models hold.
    static let quantizedOps: Set<String> = [
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul", "MatMulInteger",
        "ConvInteger", "QLinearAdd", "QLinearMul", "QLinearSigmoid", "QLinearLeakyRelu", "QLinearConcat", "QLinearAveragePool",
        "QLinearGlobalAveragePool", "QLinearSoftmax", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "QGemm", "QAttention",
    ]

    static let halfTypes: Set<DataType> = [.float16, .bfloat16]

    /// The precision of `model`: int8 when any node (in any graph or function) is a quantization
    /// operator, float16 when any initializer or constant is float16/bfloat16 or a node casts to
    /// it, float32 otherwise.
    public static func of(_ model: Model) -> ModelPrecision {
        var half = false
        var quantized = false
        func visit(_ nodes: [Node]) {
            for node in nodes {
                if quantizedOps.contains(node.opType) { quantized = true }
                if node.opType == "Cast", let to = node.attribute("to")?.int,
                   let type = DataType(rawValue: Int32(truncatingIfNeeded: to)), halfTypes.contains(type) {
                    half = true
                }
                for attribute in node.attributes {
                    if let tensor = attribute.tensor, halfTypes.contains(tensor.dataType) { half = true }
                    for graph in attribute.subgraphs { visit(graph) }
                }
            }
        }
        func visit(_ graph: Graph) {
            if graph.initializers.contains(where: { halfTypes.contains($0.dataType) }) { half = true }
            visit(graph.nodes)
        }
        visit(model.graph)
        for function in model.functions { visit(function.nodes) }
        return quantized ? .int8 : (half ? .float16 : .float32)
    }
}
