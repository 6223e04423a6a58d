import ModelIR

/// Converts one Keras layer class (or a few closely related ones) to ONNX nodes.
///
/// A mapper reads the layer's configuration and weights from the call, adds nodes to
/// `call.graph` and returns the layer's output tensors in Keras's order. It throws a
/// `KerasImportError` naming the layer for an option it does not map.
protocol KerasLayerMapper {
    /// The Keras class names this mapper handles (`"Conv1D"`, `"Conv2D"`, …).
    static var classNames: [String] { get }
    /// The keyword arguments that may hold tensors (`attention_mask`); a call passing a tensor by
    /// any other keyword is refused before the mapper runs.
    static var keywordTensors: Set<String> { get }
    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue]
}

extension KerasLayerMapper {
    static var keywordTensors: Set<String> { [] }
}

/// One application of a layer to its input tensors, with what a mapper needs to convert it.
struct KerasLayerCall {
    let file: String
    let className: String
    /// The layer's Keras name.
    let name: String
    /// A prefix for ONNX names: the layer name, after the names of enclosing nested models.
    let scopedName: String
    let config: KerasJSON
    /// The layer's weights in Keras's `layer.weights` order.
    let weights: [Tensor]
    /// The tensors among the positional arguments, in order.
    let inputs: [KerasValue]
    /// Every argument of the call, tensors and constants, positional and keyword.
    let arguments: KerasCallArguments<KerasValue>
    /// The major version of the Keras that wrote the file (2 for tf.keras, 3 for Keras 3).
    let kerasMajorVersion: Int
    /// True when the weights of sublayers come grouped per sublayer, the groups in
    /// `KerasV3WeightStore.groupOrder` (a `.keras` file), rather than in Keras's `layer.weights` order.
    var sublayerWeightsGrouped = false
    let graph: KerasGraphBuilder

    init(file: String, className: String, name: String, scopedName: String, config: KerasJSON, weights: [Tensor],
         arguments: KerasCallArguments<KerasValue>, kerasMajorVersion: Int, graph: KerasGraphBuilder) {
        self.file = file
        self.className = className
        self.name = name
        self.scopedName = scopedName
        self.config = config
        self.weights = weights
        self.inputs = arguments.positionalTensors
        self.arguments = arguments
        self.kerasMajorVersion = kerasMajorVersion
        self.graph = graph
    }

    init(file: String, className: String, name: String, scopedName: String, config: KerasJSON, weights: [Tensor], inputs: [KerasValue],
         kerasMajorVersion: Int, graph: KerasGraphBuilder) {
        self.init(file: file, className: className, name: name, scopedName: scopedName, config: config, weights: weights,
                  arguments: KerasCallArguments(positional: inputs.map { .tensor($0) }), kerasMajorVersion: kerasMajorVersion, graph: graph)
    }

    /// This call read as one of another class (a tf.keras 2 `TFOpLambda` as the Keras 3 operation
    /// of the same meaning), with the same configuration and names and `arguments` (by default its own).
    func reading(as className: String, arguments: KerasCallArguments<KerasValue>? = nil) -> KerasLayerCall {
        var call = KerasLayerCall(file: file, className: className, name: name, scopedName: scopedName, config: config, weights: weights,
                                  arguments: arguments ?? self.arguments, kerasMajorVersion: kerasMajorVersion, graph: graph)
        call.sublayerWeightsGrouped = sublayerWeightsGrouped
        return call
    }

    /// The time-step mask a recurrent layer applies ([batch, time]): the `mask` keyword, which
    /// Keras 3 records explicitly; in a tf.keras 2 file, which records none, the mask Keras
    /// propagates implicitly from `Embedding(mask_zero=True)` or `Masking` (`KerasValue.keptSteps`).
    func sequenceMask() throws(KerasImportError) -> KerasValue? {
        if let explicit = try keywordTensor("mask") { return explicit }
        guard kerasMajorVersion == 2, let x = inputs.first, let kept = x.keptSteps, let batch = x.shape.first, x.rank >= 2 else { return nil }
        return KerasValue(name: kept, shape: [batch, x.shape[1]], layout: .native, dataType: .bool)
    }

    /// The tensor passed by keyword `key`, nil when none is.
    func keywordTensor(_ key: String) throws(KerasImportError) -> KerasValue? {
        guard let argument = arguments.keyword[key] else { return nil }
        let tensors = argument.tensors
        guard tensors.count <= 1 else { throw invalid("'\(key)' holds \(tensors.count) tensors, expected one") }
        return tensors.first
    }

    /// A constant keyword argument of the call (`use_causal_mask=True`), nil when it is not passed or is a tensor.
    func keywordConstant(_ key: String) -> KerasJSON? {
        arguments.keyword[key]?.json
    }

    /// A name hint for an ONNX value of this layer.
    func hint(_ op: String) -> String { "\(scopedName)/\(op)" }

    /// The only input; an error when the layer got several.
    func input() throws(KerasImportError) -> KerasValue {
        guard inputs.count == 1 else { throw invalid("expects one input tensor, got \(inputs.count)") }
        return inputs[0]
    }

    // MARK: - Configuration

    func has(_ key: String) -> Bool { config[key] != nil }

    func string(_ key: String, default value: String) -> String { config[key]?.string ?? value }

    func bool(_ key: String, default value: Bool) -> Bool { config[key]?.bool ?? value }

    func double(_ key: String, default value: Double) throws(KerasImportError) -> Double {
        guard let raw = config[key] else { return value }
        guard let number = raw.double else { throw invalid("'\(key)' is not a number") }
        return number
    }

    func int(_ key: String, default value: Int) throws(KerasImportError) -> Int {
        guard let raw = config[key] else { return value }
        guard let number = raw.int else { throw invalid("'\(key)' is not an integer of at most 2^24") }
        return number
    }

    func requiredInt(_ key: String) throws(KerasImportError) -> Int {
        guard let raw = config[key] else { throw invalid("the configuration has no '\(key)'") }
        guard let number = raw.int else { throw invalid("'\(key)' is not an integer of at most 2^24") }
        return number
    }

    /// An integer tuple such as `kernel_size`: a single integer is repeated `count` times.
    func ints(_ key: String, count: Int, default value: [Int]? = nil) throws(KerasImportError) -> [Int] {
        guard let raw = config[key] else {
            if let value { return value }
            throw invalid("the configuration has no '\(key)'")
        }
        guard let numbers = raw.ints else { throw invalid("'\(key)' is not a list of integers of at most 2^24") }
        if numbers.count == 1, count > 1 { return Array(repeating: numbers[0], count: count) }
        guard numbers.count == count else { throw invalid("'\(key)' has \(numbers.count) values, expected \(count)") }
        return numbers
    }

    /// Like `ints(_:count:default:)`, for sizes, strides and rates, which must be at least 1.
    func positiveInts(_ key: String, count: Int, default value: [Int]? = nil) throws(KerasImportError) -> [Int] {
        let numbers = try ints(key, count: count, default: value)
        guard numbers.allSatisfy({ $0 >= 1 }) else { throw invalid("'\(key)' must hold positive integers, got \(numbers)") }
        return numbers
    }

    /// Fails unless the channels-last data format is used.
    func requireChannelsLast() throws(KerasImportError) {
        let format = string("data_format", default: "channels_last")
        guard format == "channels_last" else {
            throw unsupported("data_format='\(format)'", "use data_format='channels_last' (the Keras default)")
        }
    }

    /// The single input of a convolution, pool or resize layer, channels-last with one or more
    /// spatial axes between batch and channels, and the number of those axes.
    func spatialInput() throws(KerasImportError) -> (value: KerasValue, spatial: Int) {
        let x = try input()
        try requireChannelsLast()
        guard x.rank >= 3 else { throw invalid("expects an input of rank 3 or more, got \(x.shape)") }
        return (x, x.rank - 2)
    }

    // MARK: - Weights

    /// The weight at `index` as float32 values with its Keras shape.
    func weight(_ index: Int, _ what: String) throws(KerasImportError) -> KerasArray {
        guard index < weights.count else {
            throw invalid("expects a \(what) weight (number \(index + 1)) but the file holds \(weights.count) weights for it")
        }
        let tensor = weights[index]
        do { return KerasArray(shape: tensor.shape, values: try tensor.floatValues()) } catch {
            throw invalid("weight \(what) cannot be read as numbers: \(error)")
        }
    }

    /// Fails unless the layer has exactly `count` weights.
    func requireWeights(_ count: Int) throws(KerasImportError) {
        guard weights.count == count else {
            throw invalid("expects \(count) weights from its configuration, the file holds \(weights.count)")
        }
    }

    /// A float32 initializer named after this layer.
    func constant(_ what: String, _ array: KerasArray) throws(KerasImportError) -> String {
        try graph.floats("\(scopedName)/\(what)", array.values, shape: array.shape)
    }

    // MARK: - Errors

    func invalid(_ reason: String) -> KerasImportError {
        .invalidLayer(file: file, className: className, layer: name, reason: reason)
    }

    func unsupported(_ option: String, _ alternatives: String) -> KerasImportError {
        .unsupportedOption(file: file, className: className, layer: name, option: option, alternatives: alternatives)
    }

    /// A call of a wrapped layer (Bidirectional's LSTM, TimeDistributed's Dense) on `inputs`.
    func wrapped(_ layer: KerasJSON, weights: [Tensor], inputs: [KerasValue], suffix: String) throws(KerasImportError) -> KerasLayerCall {
        guard let className = layer["class_name"]?.string, let config = layer["config"] else {
            throw invalid("the wrapped layer has no class_name or config")
        }
        let innerName = config["name"]?.string ?? suffix
        var call = KerasLayerCall(file: file, className: className, name: innerName, scopedName: "\(scopedName)/\(suffix)",
                                  config: config, weights: weights, inputs: inputs, kerasMajorVersion: kerasMajorVersion, graph: graph)
        call.sublayerWeightsGrouped = sublayerWeightsGrouped
        return call
    }

    /// A call of the sublayer `suffix` (a TransformerEncoder's attention, norms and dense layers)
    /// with its own configuration, weights and arguments.
    func sublayer(_ className: String, suffix: String, config: [String: KerasJSON], weights: [Tensor],
                  arguments: KerasCallArguments<KerasValue>) -> KerasLayerCall {
        var call = KerasLayerCall(file: file, className: className, name: "\(name)/\(suffix)", scopedName: "\(scopedName)/\(suffix)",
                                  config: .object(config), weights: weights, arguments: arguments, kerasMajorVersion: kerasMajorVersion,
                                  graph: graph)
        call.sublayerWeightsGrouped = sublayerWeightsGrouped
        return call
    }

    /// The weights of the sublayers `parts` (each with the group name a `.keras` file gives it and
    /// its number of weights), listed in Keras's `layer.weights` order, split per sublayer.
    func sublayerWeights(_ parts: [(group: String, count: Int)]) throws(KerasImportError) -> [[Tensor]] {
        let total = parts.reduce(0) { $0 + $1.count }
        guard total == weights.count else { throw invalid("expects \(total) weights from its configuration, the file holds \(weights.count)") }
        let groups = parts.map(\.group)
        let stored = sublayerWeightsGrouped ? KerasV3WeightStore.groupOrder(groups).compactMap { groups.firstIndex(of: $0) } : Array(parts.indices)
        guard stored.count == parts.count else { throw invalid("two of its sublayers are called \(groups)") }
        var result = [[Tensor]](repeating: [], count: parts.count)
        var offset = 0
        for index in stored {
            result[index] = Array(weights[offset..<(offset + parts[index].count)])
            offset += parts[index].count
        }
        return result
    }

    /// Converts a wrapped layer call through the registry.
    func convertWrapped(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard let mapper = KerasLayerRegistry.mapper(for: call.className) else {
            throw .unsupportedLayer(file: file, className: call.className, layer: call.name, supported: KerasLayerRegistry.supportedClassNames)
        }
        return try mapper.convert(call)
    }

    /// Applies the layer's `activation` option (default linear) to `value`.
    func applyActivation(_ value: KerasValue, key: String = "activation") throws(KerasImportError) -> KerasValue {
        guard let activation = config[key] else { return value }
        return try KerasActivation.apply(activation, to: value, call: self)
    }
}
