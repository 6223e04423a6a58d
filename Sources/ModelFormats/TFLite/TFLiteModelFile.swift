import Foundation
import ModelIR

/// Reads TensorFlow Lite `.tflite` files into ONNX models (opset 17).
///
/// The main subgraph becomes the graph; its inputs and outputs keep TFLite's layout (NHWC) and
/// take their names from the `serving_default` signature when there is one. A batch size the
/// file leaves free (`shape_signature` −1) is the symbolic dimension `batch`. Quantized int8 and
/// uint8 tensors become QDQ pairs (see `TFLiteGraphBuilder`); float16 weights are cast up.
public enum TFLiteModelFile {
    public static let opset = 17

    /// Converts the TFLite model at `url`.
    ///
    /// - Throws: `ModelFormatError` naming the file: unreadable, truncated or corrupt files (any
    ///   offset out of bounds), and operators the importer does not convert (naming the operator
    ///   by its schema name, its index and subgraph, and the operators ModelGate imports).
    public static func load(_ url: URL, limits: ModelLimits = .default) throws(ModelFormatError) -> Model {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try load(bytes: Array(data), file: url.path, limits: limits)
    }

    /// Converts a TFLite model held in memory; `file` names it in errors.
    public static func load(bytes: [UInt8], file: String, limits: ModelLimits = .default) throws(ModelFormatError) -> Model {
        let model = try TFLiteModel(FlatBuffer(bytes: bytes, file: file))
        let context = TFLiteImportContext(model: model, limits: limits, opset: opset)
        let builder = try TFLiteGraphBuilder(context: context, subgraphIndex: 0)
        let subgraph = builder.subgraph
        let signature = model.signatures.first { $0.subgraphIndex == 0 }

        var inputs: [ValueInfo] = []
        for index in subgraph.inputs {
            let tensor = try builder.tensor(index)
            let name = context.freshName(signature?.inputs.first { Int64($0.tensor) == Int64(index) }?.name ?? builder.hint(index))
            let type = try builder.dataType(index)
            inputs.append(ValueInfo(name: name, elementType: type, shape: interfaceShape(tensor)))
            if let quantization = tensor.quantization, quantization.isPresent, type == .int8 || type == .uint8 {
                let axis = Int(quantization.quantizedDimension)
                let count = TFLiteGraphBuilder.size(of: tensor.shape.map { Int($0) }, axis: axis)
                builder.values[Int(index)] = try builder.dequantize(name, quantization, elementType: type, axis: axis, count: count, tensorName: name)
            } else {
                builder.values[Int(index)] = name
            }
        }
        var outputNames: [Int32: String] = [:]
        for index in subgraph.outputs {
            let tensor = try builder.tensor(index)
            let name = context.freshName(signature?.outputs.first { Int64($0.tensor) == Int64(index) }?.name ?? builder.hint(index))
            outputNames[index] = name
            if !isQuantized(tensor), builder.values[Int(index)] == nil { builder.preferredNames[Int(index)] = name }
        }

        try builder.convertOperators()

        var outputs: [ValueInfo] = []
        var nodes = builder.nodes
        for index in subgraph.outputs {
            let tensor = try builder.tensor(index)
            guard let name = outputNames[index] else { continue }
            let type = try builder.dataType(index)
            let value = try builder.value(index)
            if let quantization = tensor.quantization, isQuantized(tensor) {
                let axis = Int(quantization.quantizedDimension)
                let count = TFLiteGraphBuilder.size(of: tensor.shape.map { Int($0) }, axis: axis)
                _ = try builder.quantize(value, quantization, elementType: type, count: count, tensorName: name, outputName: name)
                nodes = builder.nodes
            } else if value != name {
                nodes.append(Node(name: name, opType: "Identity", inputs: [value], outputs: [name]))
            }
            outputs.append(ValueInfo(name: name, elementType: type, shape: interfaceShape(tensor)))
        }
        let live = TFLiteGraphBuilder.live(nodes, outputs: outputs.map(\.name))
        let graph = Graph(name: subgraph.name.isEmpty ? "main" : subgraph.name, nodes: live.nodes,
                          initializers: context.initializers.filter { live.reads.contains($0.name) },
                          inputs: inputs, outputs: outputs)
        return Model(opsetImports: [OpsetImport(domain: "", version: Int64(opset))], producerName: "modelgate (tflite import)",
                     producerVersion: "schema \(model.version)", docString: model.description, graph: graph)
    }

    private static func isQuantized(_ tensor: TFLiteTensor) -> Bool {
        guard let quantization = tensor.quantization, quantization.isPresent else { return false }
        return tensor.type == 9 || tensor.type == 3
    }

    /// The shape a graph input or output declares: `shape_signature`'s −1 as symbolic sizes.
    private static func interfaceShape(_ tensor: TFLiteTensor) -> TensorShape {
        let signature = tensor.shapeSignature.flatMap { $0.count == tensor.shape.count ? $0 : nil } ?? tensor.shape
        return TensorShape(signature.enumerated().map { axis, size -> ModelIR.Dimension in
            size >= 0 ? .fixed(Int(size)) : .symbolic(axis == 0 ? "batch" : "dim\(axis)")
        })
    }
}
