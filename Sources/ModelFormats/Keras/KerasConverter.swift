import ModelIR

/// Walks a Keras model configuration (Sequential or Functional, nested models inlined) and
/// converts every layer call through the registry into one ONNX graph.
final class KerasConverter {
    let file: String
    let store: any KerasWeightStore
    let kerasMajorVersion: Int
    let graph: KerasGraphBuilder
    private(set) var graphInputs: [ValueInfo] = []
    private var weightCache: [String: [Tensor]] = [:]

    static let modelClassNames: Set<String> = ["Sequential", "Functional", "Model"]

    init(file: String, store: any KerasWeightStore, kerasMajorVersion: Int, opset: Int) {
        self.file = file
        self.store = store
        self.kerasMajorVersion = kerasMajorVersion
        graph = KerasGraphBuilder(file: file, opset: opset)
    }

    /// Converts the model serialized as `root` (`{"class_name": …, "config": …}`) to an ONNX graph.
    func convert(_ root: KerasJSON, graphName: String) throws(KerasImportError) -> Graph {
        let outputs = try runModel(root, scope: [], inputs: nil)
        var outputInfos: [ValueInfo] = []
        var claimed: Set<String> = []
        let inputNames = Set(graphInputs.map(\.name))
        var renamed: [String: String] = [:]
        for (kerasName, value) in outputs {
            let produced = graph.native(value)
            let native = renamed[produced] ?? produced
            var name = kerasName
            if claimed.contains(name) || inputNames.contains(name) || (graph.isUsed(name) && name != native) {
                name = graph.freshName(kerasName)
            }
            if native == name {
                // The value already carries the output's name.
            } else if graph.isNodeOutput(native), !claimed.contains(native) {
                graph.rename(native, to: name)
                renamed[native] = name
            } else {
                graph.reserve(name)
                let identity = graph.op("Identity", [native], hint: "\(name)/identity")
                graph.rename(identity, to: name)
            }
            claimed.insert(name)
            outputInfos.append(ValueInfo(name: name, elementType: value.dataType, shape: KerasConverter.tensorShape(value.shape)))
        }
        graph.removeUnusedNodes(keeping: Set(outputInfos.map(\.name)))
        return Graph(name: graphName, nodes: graph.nodes, initializers: graph.initializers,
                     inputs: graphInputs, outputs: outputInfos)
    }

    static func tensorShape(_ shape: [Int?]) -> TensorShape {
        TensorShape(shape.enumerated().map { index, size -> Dimension in
            if let size { return .fixed(size) }
            return index == 0 ? .symbolic("batch") : .unknown
        })
    }

    // MARK: - Models

    /// Runs a model on `inputs` (nil: the model's own inputs become graph inputs); returns its
    /// outputs with the names of the layers that produce them.
    func runModel(_ model: KerasJSON, scope: [String], inputs: [KerasValue]?) throws(KerasImportError) -> [(name: String, value: KerasValue)] {
        guard let className = model["class_name"]?.string, let config = model["config"] else {
            throw .invalidGraph(file: file, reason: "the model configuration has no class_name or config")
        }
        switch className {
        case "Sequential":
            return try runSequential(config, scope: scope, inputs: inputs)
        case "Functional", "Model":
            return try runFunctional(config, scope: scope, inputs: inputs)
        default:
            let registered = model["registered_name"]?.string ?? ""
            if registered.hasPrefix("keras_hub>") || (model["module"]?.string ?? "").hasPrefix("keras_hub") {
                throw .invalidGraph(file: file, reason: "the saved object is the KerasHub model \(className), a subclassed model; "
                                    + "subclassed models cannot be converted: save keras.Model(backbone.inputs, backbone.outputs) "
                                    + "instead (a Functional model, whose layers are then read one by one)")
            }
            throw .invalidGraph(file: file, reason: "the saved object is a \(className), not a Sequential or Functional model; "
                                + "subclassed models cannot be converted (rebuild them as Functional models)")
        }
    }

    private func runSequential(_ config: KerasJSON, scope: [String], inputs: [KerasValue]?) throws(KerasImportError) -> [(name: String, value: KerasValue)] {
        guard let layers = config["layers"]?.array else {
            throw .invalidGraph(file: file, reason: "the Sequential model has no layer list")
        }
        store.register(scope: scope, layers: layers.map { (layerName($0), $0["class_name"]?.string ?? "") }, sequential: true)
        var current: KerasValue
        var remaining = layers[...]
        if let inputs {
            guard inputs.count == 1 else {
                throw .invalidGraph(file: file, reason: "Sequential model '\(config["name"]?.string ?? "?")' is called on \(inputs.count) tensors")
            }
            current = inputs[0]
            if remaining.first?["class_name"]?.string == "InputLayer" { remaining = remaining.dropFirst() }
        } else if let first = remaining.first, first["class_name"]?.string == "InputLayer", let inputConfig = first["config"] {
            current = try makeGraphInput(inputConfig, fallbackName: "input")
            remaining = remaining.dropFirst()
        } else if let first = remaining.first?["config"], let shape = first["batch_input_shape"]?.shape ?? first["batch_shape"]?.shape {
            let inputConfig = KerasJSON.object(["batch_shape": .array(shape.map { $0.map { .number(Double($0)) } ?? .null }),
                                                "dtype": first["dtype"]?.string.map(KerasJSON.string) ?? .string("float32"),
                                                "name": .string("\(first["name"]?.string ?? "sequential")_input")])
            current = try makeGraphInput(inputConfig, fallbackName: "input")
        } else if let shape = config["build_input_shape"]?.shape {
            let inputConfig = KerasJSON.object(["batch_shape": .array(shape.map { $0.map { .number(Double($0)) } ?? .null }),
                                                "name": .string("input")])
            current = try makeGraphInput(inputConfig, fallbackName: "input")
        } else {
            throw .invalidGraph(file: file, reason: "the Sequential model has no input shape; build it on an Input before saving")
        }
        var lastName = current.name
        for layer in remaining {
            let outputs = try convertLayer(layer, scope: scope, inputs: [current])
            guard outputs.count == 1 else {
                throw .invalidGraph(file: file, reason: "layer '\(layerName(layer))' in a Sequential model has \(outputs.count) outputs")
            }
            current = outputs[0]
            lastName = layerName(layer)
        }
        return [(lastName, current)]
    }

    private func runFunctional(_ config: KerasJSON, scope: [String], inputs: [KerasValue]?) throws(KerasImportError) -> [(name: String, value: KerasValue)] {
        guard let layers = config["layers"]?.array else {
            throw .invalidGraph(file: file, reason: "the Functional model has no layer list")
        }
        store.register(scope: scope, layers: layers.map { (layerName($0), $0["class_name"]?.string ?? "") }, sequential: false)
        let byName = Dictionary(layers.map { (layerName($0), $0) }, uniquingKeysWith: { first, _ in first })
        let inputRefs = try tensorReferences(config["input_layers"], what: "input_layers")
        let outputRefs = try tensorReferences(config["output_layers"], what: "output_layers")
        if let inputs, inputs.count != inputRefs.count {
            throw .invalidGraph(file: file, reason: "nested model '\(config["name"]?.string ?? "?")' takes \(inputRefs.count) inputs but is called on \(inputs.count)")
        }
        var tensors: [TensorReference: KerasValue] = [:]
        for (index, reference) in inputRefs.enumerated() {
            if let inputs {
                tensors[reference] = inputs[index]
            } else {
                guard let layer = byName[reference.layer], let inputConfig = layer["config"] else {
                    throw .invalidGraph(file: file, reason: "input layer '\(reference.layer)' is not in the layer list")
                }
                tensors[reference] = try makeGraphInput(inputConfig, fallbackName: reference.layer)
            }
        }
        var pending: [PendingCall] = []
        for layer in layers where layer["class_name"]?.string != "InputLayer" {
            let nodes = layer["inbound_nodes"]?.array ?? []
            for (index, node) in nodes.enumerated() {
                pending.append(PendingCall(layer: layer, node: index, arguments: try nodeArguments(node, layer: layerName(layer))))
            }
        }
        while !pending.isEmpty {
            var progressed = false
            var waiting: [PendingCall] = []
            for call in pending {
                guard call.arguments.allTensors.allSatisfy({ tensors[$0.reference] != nil }) else {
                    waiting.append(call)
                    continue
                }
                let arguments = try call.arguments.map { (recorded) throws(KerasImportError) -> KerasValue in
                    let reference = recorded.reference
                    guard let value = tensors[reference] else {
                        throw .invalidGraph(file: file, reason: "tensor \(reference.layer)[\(reference.node)][\(reference.tensor)] is not computed")
                    }
                    return withRecordedType(value, recorded.dtype)
                }
                let outputs = try convertLayer(call.layer, scope: scope, arguments: arguments)
                let name = layerName(call.layer)
                let node = call.node + firstSavedNode(of: call.layer)
                for (index, output) in outputs.enumerated() {
                    tensors[TensorReference(layer: name, node: node, tensor: index)] = output
                }
                progressed = true
            }
            pending = waiting
            if !progressed {
                let names = pending.map { layerName($0.layer) }.joined(separator: ", ")
                throw .invalidGraph(file: file, reason: "the inputs of layers \(names) are never computed; the inbound nodes do not form a graph")
            }
        }
        var results: [(name: String, value: KerasValue)] = []
        for reference in outputRefs {
            guard let value = tensors[reference] else {
                throw .invalidGraph(file: file, reason: "output \(reference.layer)[\(reference.node)][\(reference.tensor)] is not computed by any layer")
            }
            results.append((reference.layer, value))
        }
        return results
    }

    /// The index tensor references give a layer's first saved call. tf.keras 2 counts the node
    /// that links a nested model built on an `Input` (a functional model, or a Sequential whose first
    /// layer is an `InputLayer`) to its outputs, and does not save it: its first saved call is node 1.
    /// Keras 3 numbers the saved calls from 0.
    private func firstSavedNode(of layer: KerasJSON) -> Int {
        guard kerasMajorVersion == 2, let className = layer["class_name"]?.string, KerasConverter.modelClassNames.contains(className) else { return 0 }
        if className != "Sequential" { return 1 }
        return layer["config"]?["layers"]?.array?.first?["class_name"]?.string == "InputLayer" ? 1 : 0
    }

    // MARK: - Layers

    private func convertLayer(_ layer: KerasJSON, scope: [String], inputs: [KerasValue]) throws(KerasImportError) -> [KerasValue] {
        try convertLayer(layer, scope: scope, arguments: KerasCallArguments(positional: inputs.map { .tensor($0) }))
    }

    /// Converts one call of `layer`. A class registered by a package (`keras_hub>TransformerEncoder`:
    /// a `.keras` config's `registered_name`, a `.h5` config's `class_name`) is looked up by that
    /// name, so that another package's class of the same name is not taken for it.
    private func convertLayer(_ layer: KerasJSON, scope: [String], arguments: KerasCallArguments<KerasValue>) throws(KerasImportError) -> [KerasValue] {
        let registeredName = layer["registered_name"]?.string ?? ""
        let className = registeredName.contains(">") ? registeredName : layer["class_name"]?.string ?? "?"
        let name = layerName(layer)
        let inputs = arguments.positionalTensors
        if KerasConverter.modelClassNames.contains(className) {
            try refuseKeywordTensors(arguments, accepted: [], layer: name)
            return try runModel(layer, scope: scope + [name], inputs: inputs).map(\.value)
        }
        let module = layer["module"]?.string ?? ""
        let isOperation = KerasConverter.isOperationNode(layer)
        guard let mapper = isOperation ? KerasLayerRegistry.operation(for: className) : KerasLayerRegistry.mapper(for: className) else {
            if isOperation {
                throw .unsupportedOperation(file: file, className: className, module: module.isEmpty ? "keras.ops" : module, node: name,
                                            supported: KerasLayerRegistry.supportedOperationNames)
            }
            throw .unsupportedLayer(file: file, className: className, layer: name, supported: KerasLayerRegistry.supportedClassNames)
        }
        try refuseKeywordTensors(arguments, accepted: mapper.keywordTensors, layer: name)
        var call = KerasLayerCall(file: file, className: className, name: name, scopedName: (scope + [name]).joined(separator: "/"),
                                  config: layer["config"] ?? .object([:]), weights: isOperation ? [] : try weights(scope: scope, layer: name),
                                  arguments: arguments, kerasMajorVersion: kerasMajorVersion, graph: graph)
        call.sublayerWeightsGrouped = store.groupsSublayerWeights
        return try mapper.convert(call)
    }

    /// True for a Keras 3 operation node (`x + 1`, `keras.ops.*` and activation functions called on
    /// symbolic tensors in a functional model). A `.keras` config names its module
    /// (`keras.src.ops.numpy`); a legacy `.h5` config has no module, and there a class name of an
    /// operation is one when its configuration lacks the `trainable` every layer records, and, for
    /// a name that is a layer's too (`Add`, `Reshape`), holds nothing but a name and operation
    /// parameters (`newshape`, `axis`, …).
    static func isOperationNode(_ layer: KerasJSON) -> Bool {
        if let module = layer["module"]?.string {
            return module.hasPrefix("keras.src.ops") || module.hasPrefix("keras.ops") || module.hasPrefix("keras.src.activations")
        }
        guard let className = layer["class_name"]?.string, KerasLayerRegistry.operation(for: className) != nil,
              layer["config"]?["trainable"] == nil else { return false }
        guard KerasLayerRegistry.mapper(for: className) != nil else { return true }
        let keys = Set(layer["config"]?.object?.keys.map { $0 } ?? [])
        return keys.isSubset(of: operationParameterKeys)
    }

    /// The configuration keys of the operations whose class names are layer names too.
    private static let operationParameterKeys: Set<String> = ["name", "newshape", "axis", "axes", "keepdims", "negative_slope",
                                                              "max_value", "threshold"]

    private func refuseKeywordTensors(_ arguments: KerasCallArguments<KerasValue>, accepted: Set<String>, layer: String) throws(KerasImportError) {
        let refused = arguments.keywordsWithTensors.filter { !accepted.contains($0) }
        guard refused.isEmpty else {
            let accepts = accepted.isEmpty ? "it takes none" : "it takes \(accepted.sorted().joined(separator: ", "))"
            throw .invalidGraph(file: file, reason: "layer '\(layer)' is called with tensors as keyword arguments (\(refused.joined(separator: ", "))), "
                                + "which the importer does not convert for it (\(accepts)); pass them as inputs")
        }
    }

    private func weights(scope: [String], layer: String) throws(KerasImportError) -> [Tensor] {
        let key = (scope + [layer]).joined(separator: "\u{1}")
        if let cached = weightCache[key] { return cached }
        do {
            let tensors = try store.weights(scope: scope, layer: layer)
            weightCache[key] = tensors
            return tensors
        } catch {
            throw .malformed(file: file, reason: "the weights of layer '\(layer)' cannot be read: \(error)")
        }
    }

    private func layerName(_ layer: KerasJSON) -> String {
        layer["config"]?["name"]?.string ?? layer["name"]?.string ?? "?"
    }

    private func makeGraphInput(_ config: KerasJSON, fallbackName: String) throws(KerasImportError) -> KerasValue {
        let name = config["name"]?.string ?? fallbackName
        guard let shape = config["batch_shape"]?.shape ?? config["batch_input_shape"]?.shape, !shape.isEmpty else {
            throw .invalidGraph(file: file, reason: "input layer '\(name)' has no batch_shape")
        }
        let dtypeName = KerasDType.name(of: config["dtype"]) ?? "float32"
        let inputTypes: [DataType] = [.float, .float16, .double, .int32, .int64, .uint8, .bool]
        guard let dataType = KerasDType.dataType(dtypeName, among: inputTypes) else {
            throw .invalidGraph(file: file, reason: "input layer '\(name)' has dtype \(dtypeName), which has no ONNX input type here")
        }
        guard !graph.isUsed(name) else {
            throw .invalidGraph(file: file, reason: "two inputs are called '\(name)'")
        }
        graph.reserve(name)
        guard shape.allSatisfy({ ($0 ?? 0) >= 0 }) else {
            throw .invalidGraph(file: file, reason: "input layer '\(name)' has a negative size in its shape \(shape)")
        }
        var kerasShape = shape
        kerasShape[0] = nil
        graphInputs.append(ValueInfo(name: name, elementType: dataType, shape: KerasConverter.tensorShape(kerasShape)))
        return KerasValue(name: name, shape: kerasShape, layout: .native, dataType: dataType == .float ? .float : dataType)
    }

    // MARK: - Inbound nodes

    struct TensorReference: Hashable {
        var layer: String
        var node: Int
        var tensor: Int
    }

    /// A tensor as a call's inbound node records it: which tensor, and the dtype Keras gave it
    /// (Keras 3 records it; tf.keras 2 does not).
    struct RecordedTensor {
        var reference: TensorReference
        var dtype: String?
    }

    /// `value` cast to the dtype Keras recorded for it where one is a float type and the other is
    /// not: the JSON of a call keeps `x * 1.0` and `x * 1` apart only in its text, so an operation on
    /// an integer tensor and an integral float constant can come out integer here while Keras
    /// promoted it to float. Float types are left as they are (mixed-precision policies).
    private func withRecordedType(_ value: KerasValue, _ dtype: String?) -> KerasValue {
        guard let dtype, let type = KerasDType.dataTypes[dtype], type.isFloatingPoint != value.dataType.isFloatingPoint else {
            return value
        }
        let output = graph.op("Cast", [value.name], [.int("to", Int(type.rawValue))], hint: "\(value.name)/as_\(dtype)")
        return KerasValue(name: output, shape: value.shape, layout: value.layout, dataType: type, keptSteps: value.keptSteps)
    }

    /// `[["a", 0, 0], ["b", 0, 0]]` or a single `["a", 0, 0]`.
    private func tensorReferences(_ json: KerasJSON?, what: String) throws(KerasImportError) -> [TensorReference] {
        guard let list = json?.array else { throw .invalidGraph(file: file, reason: "the model has no \(what)") }
        if list.first?.string != nil { return [try reference(.array(list), what: what)] }
        var references: [TensorReference] = []
        for item in list { references.append(try reference(item, what: what)) }
        return references
    }

    private func reference(_ json: KerasJSON, what: String) throws(KerasImportError) -> TensorReference {
        guard let items = json.array, items.count >= 3, let layer = items[0].string, let node = items[1].int, let tensor = items[2].int else {
            throw .invalidGraph(file: file, reason: "\(what) holds an entry that is not [layer, node, tensor]")
        }
        return TensorReference(layer: layer, node: node, tensor: tensor)
    }

    /// A layer call waiting for its input tensors.
    private struct PendingCall {
        var layer: KerasJSON
        var node: Int
        var arguments: KerasCallArguments<RecordedTensor>
    }

    /// The arguments one inbound node passes to a layer: Keras 3's `{"args": [...], "kwargs": {...}}`
    /// with `__keras_tensor__` entries and constants, or tf.keras 2's `[["layer", node, tensor, {kwargs}], ...]`,
    /// whose entries are the positional tensors and whose kwargs (`[layer, node, tensor]` for a
    /// tensor) the keyword arguments. A `TFOpLambda` call records its one entry unwrapped:
    /// `["layer", node, tensor, {"y": 3.0, "name": null}]`.
    private func nodeArguments(_ node: KerasJSON, layer: String) throws(KerasImportError) -> KerasCallArguments<RecordedTensor> {
        let tensor = { (layer: String, node: Int, index: Int, dtype: String?) in
            RecordedTensor(reference: TensorReference(layer: layer, node: node, tensor: index), dtype: dtype)
        }
        if let args = node["args"] {
            let positional = args.array.map { $0.map { KerasCallArguments.argument($0, tensor: tensor) } }
                ?? [KerasCallArguments.argument(args, tensor: tensor)]
            let keyword = (node["kwargs"]?.object ?? [:]).mapValues { KerasCallArguments.argument($0, tensor: tensor) }
            return KerasCallArguments(positional: positional, keyword: keyword)
        }
        guard let list = node.array else {
            throw .invalidGraph(file: file, reason: "layer '\(layer)' has an inbound node that is neither Keras 3 nor tf.keras 2 shaped")
        }
        let entries = list.first?.string != nil ? [node] : list
        var positional: [KerasArgument<RecordedTensor>] = []
        var keyword: [String: KerasArgument<RecordedTensor>] = [:]
        for entry in entries {
            positional.append(.tensor(RecordedTensor(reference: try reference(entry, what: "the inbound nodes of '\(layer)'"), dtype: nil)))
            guard let items = entry.array, items.count >= 4, let kwargs = items[3].object else { continue }
            for (key, value) in kwargs where key != "name" { keyword[key] = legacyArgument(value) }
        }
        return KerasCallArguments(positional: positional, keyword: keyword)
    }

    /// A tf.keras 2 keyword argument: `[layer, node, tensor]` is a tensor, other lists are lists.
    private func legacyArgument(_ json: KerasJSON) -> KerasArgument<RecordedTensor> {
        guard let items = json.array else { return .constant(json) }
        if items.count >= 3, let layer = items[0].string, let node = items[1].int, let index = items[2].int {
            return .tensor(RecordedTensor(reference: TensorReference(layer: layer, node: node, tensor: index), dtype: nil))
        }
        return .list(items.map(legacyArgument))
    }
}
