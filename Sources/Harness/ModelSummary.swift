import Foundation
import ModelIR

/// What `modelgate inspect` shows of a model: opsets, feeds and results with their types,
/// the operator histogram, parameter count and sizes.
public struct ModelSummary: Codable, Sendable {
    public struct Value: Codable, Sendable {
        public var name: String
        public var type: String
        public var shape: [String]?
    }

    public var file: String
    public var fileBytes: Int
    public var irVersion: Int64
    public var producer: String
    public var opsets: [String: Int64]
    public var inputs: [Value]
    public var outputs: [Value]
    public var nodeCount: Int
    public var nestedNodeCount: Int
    public var operators: [String: Int]
    public var parameterCount: Int
    public var initializerCount: Int
    public var initializerBytes: Int
    public var functions: [String]

    public init(model: Model, file: URL) {
        let graph = model.graph
        self.file = file.path
        fileBytes = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        irVersion = model.irVersion
        producer = [model.producerName, model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        opsets = Dictionary(model.opsetImports.map { ($0.domain.isEmpty ? "ai.onnx" : $0.domain, $0.version) },
                            uniquingKeysWith: { first, _ in first })
        inputs = graph.feedInputs.map(Self.value)
        outputs = graph.outputs.map(Self.value)
        nodeCount = graph.nodes.count
        nestedNodeCount = graph.nestedNodeCount
        operators = graph.operatorHistogram
        parameterCount = graph.parameterCount
        initializerCount = graph.initializers.count + graph.sparseInitializers.count
        initializerBytes = graph.initializers.reduce(0) { $0 + $1.byteCount }
        functions = model.functions.map { "\($0.domain).\($0.name)" }
    }

    private static func value(_ info: ValueInfo) -> Value {
        guard let type = info.type?.type else { return Value(name: info.name, type: "?", shape: nil) }
        if let (element, shape) = type.tensorType {
            return Value(name: info.name, type: element.onnxName, shape: shape?.dimensions.map(\.dimension.description))
        }
        return Value(name: info.name, type: type.description, shape: nil)
    }

    /// The text form `inspect` prints.
    public var text: String {
        var lines: [String] = []
        lines.append("model:       \(file)")
        lines.append("file size:   \(Self.grouped(fileBytes)) bytes")
        lines.append("ir version:  \(irVersion)" + (producer.isEmpty ? "" : "   producer: \(producer)"))
        lines.append("opsets:      " + opsets.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        func describe(_ values: [Value]) -> [String] {
            let width = values.map(\.name.count).max() ?? 0
            return values.map { value in
                let shape = value.shape.map { "[" + $0.joined(separator: ", ") + "]" } ?? ""
                return "  " + value.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(value.type) \(shape)"
            }
        }
        lines.append("inputs:")
        lines += describe(inputs)
        lines.append("outputs:")
        lines += describe(outputs)
        lines.append("nodes:       \(nodeCount)" + (nestedNodeCount > 0 ? " (+\(nestedNodeCount) in subgraphs)" : ""))
        lines.append("operators:")
        let width = operators.keys.map(\.count).max() ?? 0
        for (op, count) in operators.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            lines.append("  " + op.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(count)")
        }
        lines.append("parameters:  \(Self.grouped(parameterCount))")
        lines.append("initializers: \(initializerCount) (\(Self.grouped(initializerBytes)) bytes)")
        if !functions.isEmpty { lines.append("functions:   " + functions.joined(separator: ", ")) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }
}
