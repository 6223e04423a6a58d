import GraphChecker
import ModelIR

/// A float32 model rewritten to compute in float64: the reference the noise floor measures a
/// float32 execution against.
///
/// Every float32 value becomes float64: initializers, graph inputs, outputs and `value_info`,
/// `Constant` values (`value`, `value_float`, `value_floats`), `ConstantOfShape` values (its
/// default, a float32 zero, included: PyTorch's dynamo exporter writes `new_zeros` so),
/// `Cast`/`EyeLike`/`Random*` targets and the same inside subgraphs and model-local functions.
/// An input whose operator schema admits float32 but not float64 (`Resize` scales, the scales of
/// `QuantizeLinear`/`DequantizeLinear`) is cast back to float32 in front of its node, and an
/// output such an operator can only produce as float32 is cast up to float64 behind it, so every
/// node sees the types its kernel accepts.
public enum Float64Widening {
    /// `model` computing in float64.
    ///
    /// - Throws: `TensorError` when a float32 tensor of the model cannot be converted.
    public static func widened(_ model: Model) throws(TensorError) -> Model {
        var result = model
        let opsets = Dictionary(model.opsetImports.map { (Node.canonicalDomain($0.domain), Int($0.version)) }, uniquingKeysWith: max)
        var rewriter = Rewriter(opsets: opsets)
        result.graph = try rewriter.graph(model.graph)
        for index in result.functions.indices {
            result.functions[index].nodes = try rewriter.nodes(result.functions[index].nodes)
        }
        return result
    }

    static let float = Int64(DataType.float.rawValue)
    static let double = Int64(DataType.double.rawValue)

    /// The float32 → float64 rewrite of graphs and node lists, with fresh names for inserted casts.
    struct Rewriter {
        let opsets: [String: Int]
        let registry = OpSchemaRegistry.standard
        var counter = 0

        init(opsets: [String: Int]) {
            self.opsets = opsets
        }

        mutating func graph(_ graph: Graph) throws(TensorError) -> Graph {
            var graph = graph
            graph.initializers = try graph.initializers.map(Float64Widening.widened)
            graph.inputs = graph.inputs.map(Float64Widening.widened)
            graph.outputs = graph.outputs.map(Float64Widening.widened)
            graph.valueInfo = graph.valueInfo.map(Float64Widening.widened)
            graph.nodes = try nodes(graph.nodes)
            return graph
        }

        mutating func nodes(_ nodes: [Node]) throws(TensorError) -> [Node] {
            var result: [Node] = []
            for original in nodes {
                var node = try attributesWidened(original)
                let (toFloat, toDouble) = floatOnlyPorts(of: original)
                for index in toFloat {
                    let narrowed = fresh(node.inputs[index] + "_float32")
                    result.append(cast(node.inputs[index], to: narrowed, type: Float64Widening.float))
                    node.inputs[index] = narrowed
                }
                var after: [Node] = []
                for index in toDouble {
                    let produced = fresh(node.outputs[index] + "_float32")
                    after.append(cast(produced, to: node.outputs[index], type: Float64Widening.double))
                    node.outputs[index] = produced
                }
                result.append(node)
                result += after
            }
            return result
        }

        /// The node with float32 constants, cast targets and subgraphs made float64.
        private mutating func attributesWidened(_ node: Node) throws(TensorError) -> Node {
            var node = node
            var attributes: [Attribute] = []
            for var attribute in node.attributes {
                switch attribute.value {
                case .tensor(let tensor):
                    attribute.value = .tensor(try Float64Widening.widened(tensor))
                case .tensors(let tensors):
                    attribute.value = .tensors(try tensors.map(Float64Widening.widened))
                case .graph(let body):
                    attribute.value = .graph(try graph(body))
                case .graphs(let bodies):
                    var widened: [Graph] = []
                    for body in bodies { widened.append(try graph(body)) }
                    attribute.value = .graphs(widened)
                case .float(let value) where node.opType == "Constant" && attribute.name == "value_float":
                    attribute = Attribute(name: "value", value: .tensor(Tensor(name: "", scalar: Double(value))))
                case .floats(let values) where node.opType == "Constant" && attribute.name == "value_floats":
                    attribute = Attribute(name: "value", value: .tensor(try Tensor(shape: [values.count], scalars: values.map(Double.init))))
                case .int(Float64Widening.float) where Self.typeAttributes[node.opType] == attribute.name:
                    attribute.value = .int(Float64Widening.double)
                default:
                    break
                }
                attributes.append(attribute)
            }
            node.attributes = attributes
            if Self.floatByDefault.contains(node.opType), node.attribute("dtype") == nil {
                node.attributes.append(Attribute(name: "dtype", value: .int(Float64Widening.double)))
            }
            if node.opType == "ConstantOfShape", node.canonicalDomain.isEmpty, node.attribute("value") == nil {
                node.attributes.append(Attribute(name: "value", value: .tensor(try Tensor(shape: [1], scalars: [Double(0)]))))
            }
            return node
        }

        /// The attribute that names the element type an operator produces.
        static let typeAttributes: [String: String] = [
            "Cast": "to", "EyeLike": "dtype", "RandomNormal": "dtype", "RandomUniform": "dtype",
            "RandomNormalLike": "dtype", "RandomUniformLike": "dtype", "Bernoulli": "dtype",
        ]

        /// Generators whose output is float32 when `dtype` is absent and nothing else decides it.
        static let floatByDefault: Set<String> = ["RandomNormal", "RandomUniform"]

        /// Inputs the schema lets be float32 but not float64, and outputs it can only make float32.
        private func floatOnlyPorts(of node: Node) -> (inputs: [Int], outputs: [Int]) {
            let domain = Node.canonicalDomain(node.domain)
            guard let opset = opsets[domain], let schema = registry.schema(node.opType, domain: domain, opsetVersion: opset) else {
                return ([], [])
            }
            func floatOnly(_ parameter: OpSchema.Parameter?) -> Bool {
                guard let parameter else { return false }
                let allowed = schema.typeConstraints[parameter.typeString]?.allowedTypes ?? [parameter.typeString]
                return allowed.contains("tensor(float)") && !allowed.contains("tensor(double)")
            }
            let inputs = node.inputs.indices.filter { !node.inputs[$0].isEmpty && floatOnly(schema.inputParameter(at: $0)) }
            let outputs = node.outputs.indices.filter { !node.outputs[$0].isEmpty && floatOnly(schema.outputParameter(at: $0)) }
            return (inputs, outputs)
        }

        private mutating func fresh(_ base: String) -> String {
            counter += 1
            return "\(base)_widening\(counter)"
        }

        private mutating func cast(_ input: String, to output: String, type: Int64) -> Node {
            Node(name: fresh("cast"), opType: "Cast", inputs: [input], outputs: [output],
                 attributes: [Attribute(name: "to", value: .int(type))])
        }
    }

    /// A float32 tensor as float64; other tensors unchanged.
    static func widened(_ tensor: Tensor) throws(TensorError) -> Tensor {
        guard tensor.dataType == .float else { return tensor }
        var result = try Tensor(name: tensor.name, converting: tensor.doubleValues(), to: .double, shape: tensor.shape)
        result.docString = tensor.docString
        return result
    }

    /// A value declared float32 (a tensor, or one inside a sequence or optional) declared float64.
    static func widened(_ info: ValueInfo) -> ValueInfo {
        var info = info
        if let type = info.type { info.type = TypeInfo(widened(type.type), denotation: type.denotation) }
        return info
    }

    static func widened(_ type: ValueType) -> ValueType {
        switch type {
        case let .tensor(elementType, shape): .tensor(elementType: elementType == .float ? .double : elementType, shape: shape)
        case let .sparseTensor(elementType, shape): .sparseTensor(elementType: elementType == .float ? .double : elementType, shape: shape)
        case .sequence(let element): .sequence(element.map(widened))
        case .optional(let element): .optional(element.map(widened))
        case let .map(key, value): .map(keyType: key, valueType: value.map(widened))
        default: type
        }
    }
}
