import ModelIR

/// How the ONNX value of a Keras tensor orders its axes.
enum KerasLayout: Sendable, Equatable {
    /// As Keras has it (channels last for images).
    case native
    /// Channels moved to axis 1 (NCHW, NCW, NCDHW), as ONNX convolutions and pools want them.
    case channelsFirst
    /// A rank-2 tensor that is Keras's `Flatten` of a channels-first value of Keras shape
    /// `sourceShape`, flattened in channels-first order: the features are permuted. A Dense layer
    /// takes it as it is, with its kernel rows permuted to match; anything else gets the Keras
    /// order through `KerasGraphBuilder.native`.
    case flattenedChannelsFirst(sourceShape: [Int?])
}

/// A Keras tensor during conversion: the ONNX value that holds it and the Keras shape it has.
struct KerasValue: Sendable {
    /// The ONNX value name.
    var name: String
    /// The Keras shape, batch first; nil for a size that is not known before run time.
    var shape: [Int?]
    var layout: KerasLayout
    var dataType: DataType
    /// Keras's implicit mask on the tensor (`Embedding(mask_zero=True)`), passed on by the layers
    /// that pass masks on: the ONNX name of a boolean [batch, time] value, true for the steps kept.
    var keptSteps: String? = nil

    var rank: Int { shape.count }

    /// The same tensor under another ONNX value or layout, with the same implicit mask.
    func with(name: String, layout: KerasLayout? = nil, shape: [Int?]? = nil) -> KerasValue {
        KerasValue(name: name, shape: shape ?? self.shape, layout: layout ?? self.layout, dataType: dataType, keptSteps: keptSteps)
    }

    /// The Keras axis `axis` (negative counts from the end) as an axis of the ONNX value.
    func onnxAxis(_ axis: Int) -> Int {
        let keras = axis < 0 ? axis + rank : axis
        guard layout == .channelsFirst, rank >= 3, keras > 0 else { return keras }
        return keras == rank - 1 ? 1 : keras + 1
    }

    /// The Keras shape in the order of the ONNX value's axes.
    var onnxShape: [Int?] {
        guard layout == .channelsFirst, rank >= 3 else { return shape }
        return KerasGraphBuilder.channelsFirstPermutation(rank: rank).map { shape[$0] }
    }
}

/// Collects the nodes and initializers of the ONNX graph a Keras model converts to, with unique
/// names and transposes that are made once and cancel instead of piling up.
final class KerasGraphBuilder {
    let file: String
    let opset: Int
    private(set) var nodes: [Node] = []
    private(set) var initializers: [Tensor] = []
    private var initializerNames: [String: String] = [:]
    private var names = UniqueNames()
    /// "value|perm" → the transposed value, both ways round.
    private var transposes: [String: String] = [:]
    private var int64Constants: [[Int]: String] = [:]
    private var floatScalars: [Float: String] = [:]
    /// For each transpose this builder made: what it transposes and how.
    private var transposeSources: [String: (source: String, perm: [Int])] = [:]
    /// For values of layout `flattenedChannelsFirst`: the Keras-order flattening made of each, and
    /// the channels-first value a Flatten reshaped into each.
    private var flattened: [String: String] = [:]
    private var flattenSources: [String: String] = [:]

    /// Records that `output` is `source` reshaped to rank 2 in channels-first order.
    func recordFlatten(_ output: String, of source: String) { flattenSources[output] = source }

    init(file: String, opset: Int) {
        self.file = file
        self.opset = opset
    }

    /// A name not used yet, `hint` itself when it is free.
    func freshName(_ hint: String) -> String {
        names.fresh(hint)
    }

    /// Marks `name` as taken (graph inputs).
    func reserve(_ name: String) { names.reserve(name) }

    func isUsed(_ name: String) -> Bool { names.contains(name) }

    /// Appends a node with fresh output names derived from `hint`; returns the outputs.
    @discardableResult
    func add(_ opType: String, _ inputs: [String], _ attributes: [Attribute] = [], hint: String, outputs count: Int = 1) -> [String] {
        let outputs = (0..<count).map { freshName(count == 1 ? hint : "\(hint):\($0)") }
        nodes.append(Node(name: outputs[0], opType: opType, inputs: inputs, outputs: outputs, attributes: attributes))
        return outputs
    }

    /// Appends a single-output node and returns its output.
    func op(_ opType: String, _ inputs: [String], _ attributes: [Attribute] = [], hint: String) -> String {
        add(opType, inputs, attributes, hint: hint)[0]
    }

    /// Adds `tensor` as an initializer called `name`, or returns the one already called so (a shared layer).
    func initializer(_ name: String, _ tensor: Tensor) -> String {
        if let existing = initializerNames[name] { return existing }
        let unique = freshName(name)
        var stored = tensor
        stored.name = unique
        initializerNames[name] = unique
        initializers.append(stored)
        return unique
    }

    /// A float32 initializer of `shape` holding `values`.
    func floats(_ name: String, _ values: [Float], shape: [Int]) throws(KerasImportError) -> String {
        do { return initializer(name, try Tensor(name: name, shape: shape, scalars: values)) } catch {
            throw .invalidGraph(file: file, reason: "cannot build constant '\(name)': \(error)")
        }
    }

    /// A shared float32 scalar constant.
    func scalar(_ value: Float) -> String {
        if let name = floatScalars[value] { return name }
        let name = initializer("const_\(value)", Tensor(name: "", scalar: value))
        floatScalars[value] = name
        return name
    }

    /// A shared 1-D int64 constant (shapes, axes, pads).
    func int64s(_ values: [Int]) -> String {
        if let name = int64Constants[values] { return name }
        let hint = "const_i64_" + values.map { $0 < 0 ? "m\($0.magnitude)" : "\($0)" }.joined(separator: "_")
        let tensor = (try? Tensor(name: "", shape: [values.count], scalars: values.map { Int64($0) }))
            ?? Tensor(name: "", scalar: Int64(0))
        let name = initializer(String(hint.prefix(80)), tensor)
        int64Constants[values] = name
        return name
    }

    // MARK: - Layout

    /// The permutation from a Keras (channels-last) tensor of `rank` to channels-first.
    static func channelsFirstPermutation(rank: Int) -> [Int] {
        [0, rank - 1] + Array(1..<max(rank - 1, 1))
    }

    static func inverse(_ permutation: [Int]) -> [Int] {
        var inverse = [Int](repeating: 0, count: permutation.count)
        for (index, axis) in permutation.enumerated() { inverse[axis] = index }
        return inverse
    }

    /// `name` transposed by `perm`, reusing an earlier transpose, undoing one instead of adding its
    /// inverse, and folding a transpose of a transpose into one.
    func transpose(_ name: String, perm: [Int], hint: String) -> String {
        if perm == Array(0..<perm.count) { return name }
        let key = "\(name)|\(perm)"
        if let existing = transposes[key] { return existing }
        if let (source, first) = transposeSources[name], first.count == perm.count {
            let folded = transpose(source, perm: perm.map { first[$0] }, hint: hint)
            transposes[key] = folded
            return folded
        }
        let output = op("Transpose", [name], [.ints("perm", perm)], hint: hint)
        transposes[key] = output
        transposes["\(output)|\(KerasGraphBuilder.inverse(perm))"] = name
        transposeSources[output] = (name, perm)
        return output
    }

    /// Drops nodes none of whose outputs reach `outputs` (transposes a fold left unused).
    func removeUnusedNodes(keeping outputs: Set<String>) {
        var needed = outputs
        var kept: [Node] = []
        for node in nodes.reversed() where node.outputs.contains(where: needed.contains) {
            kept.append(node)
            needed.formUnion(node.inputs)
        }
        nodes = kept.reversed()
        initializers = initializers.filter { needed.contains($0.name) }
    }

    /// The ONNX value holding `value` in Keras's own layout.
    func native(_ value: KerasValue) -> String {
        if case let .flattenedChannelsFirst(sourceShape) = value.layout {
            if let existing = flattened[value.name] { return existing }
            let sourceValue: KerasValue
            if let source = flattenSources[value.name] {
                sourceValue = KerasValue(name: source, shape: sourceShape, layout: .channelsFirst, dataType: value.dataType)
            } else {
                // An element-wise layer came between: unflatten in channels-first order first.
                let unflattened = KerasValue(name: "", shape: sourceShape, layout: .channelsFirst, dataType: value.dataType)
                let name = reshape(value.name, to: [0] + unflattened.onnxShape.dropFirst().map { $0 ?? -1 }, hint: "\(value.name)/unflatten")
                sourceValue = unflattened.with(name: name)
            }
            let output = reshape(native(sourceValue), to: [0, value.shape[1] ?? -1], hint: "\(value.name)/channels_last")
            flattened[value.name] = output
            return output
        }
        guard value.layout == .channelsFirst, value.rank >= 3 else { return value.name }
        let perm = KerasGraphBuilder.inverse(KerasGraphBuilder.channelsFirstPermutation(rank: value.rank))
        return transpose(value.name, perm: perm, hint: "\(value.name)/to_channels_last")
    }

    /// The ONNX value holding `value` with channels on axis 1.
    func channelsFirst(_ value: KerasValue) -> String {
        if case .flattenedChannelsFirst = value.layout { return native(value) }
        guard value.layout == .native, value.rank >= 3 else { return value.name }
        return transpose(value.name, perm: KerasGraphBuilder.channelsFirstPermutation(rank: value.rank),
                         hint: "\(value.name)/to_channels_first")
    }

    /// `value` as a native-layout `KerasValue`.
    func nativeValue(_ value: KerasValue) -> KerasValue {
        value.with(name: native(value), layout: .native)
    }

    // MARK: - Ops whose form depends on the opset

    /// ReduceMean, ReduceMax, ReduceMin, ReduceProd or ReduceSum over `axes`; axes are an input
    /// from opset 18 (ReduceSum from 13), an attribute before.
    func reduce(_ opType: String, _ input: String, axes: [Int], keepDims: Bool, hint: String) -> String {
        let axesAsInput = opType == "ReduceSum" || opset >= 18
        if axesAsInput {
            return op(opType, [input, int64s(axes)], [.int("keepdims", keepDims ? 1 : 0)], hint: hint)
        }
        return op(opType, [input], [.ints("axes", axes), .int("keepdims", keepDims ? 1 : 0)], hint: hint)
    }

    /// Whether any (`ReduceMax`) or every (`ReduceMin`) element of the boolean `input` over `axes` is
    /// true, through float32: the reductions take booleans only from opset 20.
    func logicalReduce(_ opType: String, _ input: String, axes: [Int], keepDims: Bool, hint: String) -> String {
        let numbers = op("Cast", [input], [.int("to", Int(DataType.float.rawValue))], hint: "\(hint)/float")
        let reduced = reduce(opType, numbers, axes: axes, keepDims: keepDims, hint: "\(hint)/reduced")
        return op("Cast", [reduced], [.int("to", Int(DataType.bool.rawValue))], hint: hint)
    }

    func unsqueeze(_ input: String, axes: [Int], hint: String) -> String {
        op("Unsqueeze", [input, int64s(axes)], hint: hint)
    }

    func squeeze(_ input: String, axes: [Int], hint: String) -> String {
        op("Squeeze", [input, int64s(axes)], hint: hint)
    }

    func reshape(_ input: String, to shape: [Int], hint: String) -> String {
        op("Reshape", [input, int64s(shape)], hint: hint)
    }

    /// Renames the value `old` to `new` everywhere (a graph output taking its Keras name).
    func rename(_ old: String, to new: String) {
        names.reserve(new)
        for index in nodes.indices {
            nodes[index].inputs = nodes[index].inputs.map { $0 == old ? new : $0 }
            if nodes[index].outputs.contains(old) {
                nodes[index].outputs = nodes[index].outputs.map { $0 == old ? new : $0 }
                if nodes[index].name == old { nodes[index].name = new }
            }
        }
        transposes = transposes.mapValues { $0 == old ? new : $0 }
        var sources: [String: (source: String, perm: [Int])] = [:]
        for (output, entry) in transposeSources {
            sources[output == old ? new : output] = (entry.source == old ? new : entry.source, entry.perm)
        }
        transposeSources = sources
    }

    /// True when some node produces `name`.
    func isNodeOutput(_ name: String) -> Bool {
        nodes.contains { $0.outputs.contains(name) }
    }
}

extension Attribute {
    static func int(_ name: String, _ value: Int) -> Attribute { Attribute(name: name, value: .int(Int64(value))) }
    static func ints(_ name: String, _ values: [Int]) -> Attribute { Attribute(name: name, value: .ints(values.map { Int64($0) })) }
    static func float(_ name: String, _ value: Float) -> Attribute { Attribute(name: name, value: .float(value)) }
    static func floats(_ name: String, _ values: [Float]) -> Attribute { Attribute(name: name, value: .floats(values)) }
    static func string(_ name: String, _ value: String) -> Attribute { Attribute(name: name, value: .string(Array(value.utf8))) }
    static func strings(_ name: String, _ values: [String]) -> Attribute { Attribute(name: name, value: .strings(values.map { Array($0.utf8) })) }
}

/// The product of `sizes`, nil when one is unknown or the product overflows.
func knownProduct<S: Sequence>(_ sizes: S) -> Int? where S.Element == Int? {
    var product = 1
    for size in sizes {
        guard let size, size >= 0 else { return nil }
        let (result, overflow) = product.multipliedReportingOverflow(by: size)
        guard !overflow else { return nil }
        product = result
    }
    return product
}

/// Float32 weight arrays as Keras stores them, rearranged for ONNX.
struct KerasArray {
    var shape: [Int]
    var values: [Float]

    init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    var count: Int { values.count }

    /// The array with its axes permuted: result axis i is source axis `perm[i]`.
    func permuted(_ perm: [Int]) -> KerasArray {
        var result = [Float](repeating: 0, count: values.count)
        forEachPermutedOffset(shape: shape, permutation: perm) { position, offset in result[position] = values[offset] }
        return KerasArray(shape: perm.map { shape[$0] }, values: result)
    }

    func reshaped(_ newShape: [Int]) -> KerasArray { KerasArray(shape: newShape, values: values) }
}
