import ModelIR

/// Converts one TFLite subgraph into ONNX nodes. Every TFLite tensor becomes one ONNX value in
/// the float domain: a quantized (int8/uint8) tensor is the float its integers stand for,
/// `DequantizeLinear(QuantizeLinear(x))` with the tensor's scales and zero points (per axis when
/// the file quantizes per channel), and quantized constants are integer initializers followed by
/// `DequantizeLinear`. Tensors keep TFLite's layout (NHWC); convolutions and pools transpose to
/// NCHW and back around themselves.
final class TFLiteGraphBuilder {
    let context: TFLiteImportContext
    let subgraphIndex: Int
    let subgraph: TFLiteSubgraph
    var nodes: [Node] = []
    /// Tensor index → the ONNX value holding it.
    var values: [Int: String] = [:]
    /// Tensor index → the name the value must have (graph outputs).
    var preferredNames: [Int: String] = [:]
    /// The operator being converted, for messages.
    var operatorIndex = 0
    var operatorName = ""
    /// Transposes made here: output → (source, permutation), so that a transpose back is the source.
    var transposeSources: [String: (source: String, perm: [Int])] = [:]
    /// Per-tensor DequantizeLinear nodes made here: output → the integers and parameters it reads.
    var dequantizeSources: [String: (integers: String, scale: String, zeroPoint: String)] = [:]
    /// Transposes made here by source and permutation, so that a value transposed twice alike is transposed once.
    private var madeTransposes: [String: String] = [:]

    var file: String { context.file }

    init(context: TFLiteImportContext, subgraphIndex: Int) throws(ModelFormatError) {
        self.context = context
        self.subgraphIndex = subgraphIndex
        guard subgraphIndex >= 0, subgraphIndex < context.model.subgraphs.count else {
            throw .malformed(file: context.file, reason: "refers to subgraph \(subgraphIndex) but the model has \(context.model.subgraphs.count)")
        }
        subgraph = context.model.subgraphs[subgraphIndex]
    }

    // MARK: - Errors

    /// Where the current operator is, for messages.
    var location: String {
        "operator \(operatorIndex) (\(operatorName)) of subgraph \(subgraphIndex)" + (subgraph.name.isEmpty ? "" : " '\(subgraph.name)'")
    }

    func unsupported(_ reason: String) -> ModelFormatError {
        .unsupportedFormat(file: file, reason: "\(location): \(reason)")
    }

    func malformed(_ reason: String) -> ModelFormatError {
        .malformed(file: file, reason: "\(location): \(reason)")
    }

    // MARK: - Tensors

    func tensor(_ index: Int32) throws(ModelFormatError) -> TFLiteTensor {
        guard index >= 0, Int(index) < subgraph.tensors.count else {
            throw malformed("refers to tensor \(index) but the subgraph has \(subgraph.tensors.count) tensors")
        }
        return subgraph.tensors[Int(index)]
    }

    /// The element type of tensor `index`.
    func dataType(_ index: Int32) throws(ModelFormatError) -> DataType {
        let tensor = try tensor(index)
        guard let type = TFLiteTensorType.dataType(tensor.type), type != .string, type != .complex64 else {
            throw unsupported("tensor '\(tensor.name)' has type \(TFLiteTensorType.name(tensor.type)), which ModelGate does not import")
        }
        return type
    }

    /// The static shape of tensor `index` (sizes free at run time are the 1 the file records).
    func shape(_ index: Int32) throws(ModelFormatError) -> [Int] {
        let tensor = try tensor(index)
        guard tensor.shape.count <= context.limits.maxRank else {
            throw malformed("tensor '\(tensor.name)' has rank \(tensor.shape.count), over the limit \(context.limits.maxRank)")
        }
        return tensor.shape.map { Int($0) }
    }

    func rank(_ index: Int32) throws(ModelFormatError) -> Int { try shape(index).count }

    /// The operator input `position` of `op`, or nil when absent (-1 or past the end).
    func input(_ op: TFLiteOperator, _ position: Int) -> Int32? {
        guard position < op.inputs.count, op.inputs[position] >= 0 else { return nil }
        return op.inputs[position]
    }

    func requiredInput(_ op: TFLiteOperator, _ position: Int) throws(ModelFormatError) -> Int32 {
        guard let index = input(op, position) else { throw malformed("input \(position) is missing") }
        return index
    }

    func requiredOutput(_ op: TFLiteOperator, _ position: Int = 0) throws(ModelFormatError) -> Int32 {
        guard position < op.outputs.count, op.outputs[position] >= 0 else { throw malformed("output \(position) is missing") }
        return op.outputs[position]
    }

    /// Whether tensor `index` has data in a buffer.
    func isConstant(_ index: Int32) throws(ModelFormatError) -> Bool {
        let tensor = try tensor(index)
        guard tensor.buffer != 0 else { return false }
        return !(try context.model.bufferBytes(Int(tensor.buffer), tensor: tensor.name)).isEmpty
    }

    /// The raw constant tensor `index` (its stored integers for quantized tensors), nil when it has no data.
    func constantTensor(_ index: Int32) throws(ModelFormatError) -> Tensor? {
        let tensor = try tensor(index)
        guard tensor.buffer != 0 else { return nil }
        let bytes = try context.model.bufferBytes(Int(tensor.buffer), tensor: tensor.name)
        guard !bytes.isEmpty else { return nil }
        guard !tensor.isSparse else { throw unsupported("tensor '\(tensor.name)' is sparse; densify it before import") }
        let type = try dataType(index)
        let shape = try shape(index)
        guard shape.allSatisfy({ $0 >= 0 }) else { throw malformed("constant tensor '\(tensor.name)' has a negative size in \(shape)") }
        try context.limits.check(bytes: bytes.count, tensor: tensor.name, file: file)
        let buffer = bytes.withUnsafeBytes { TensorBuffer(copying: $0) }
        do { return try Tensor(name: tensor.name, dataType: type, shape: shape, buffer: buffer) } catch {
            throw .invalidTensor(file: file, tensor: tensor.name, reason: "\(error.description); the file is corrupt")
        }
    }

    /// The integers of constant tensor `index` (int32 or int64), nil when it is not a constant.
    func constantInts(_ index: Int32) throws(ModelFormatError) -> [Int]? {
        guard let tensor = try constantTensor(index) else { return nil }
        switch tensor.dataType {
        case .int32: return tensor.scalars(as: Int32.self)?.map { Int($0) }
        case .int64: return tensor.scalars(as: Int64.self)?.map { Int($0) }
        default: throw unsupported("tensor '\(tensor.name)' must hold int32 or int64 values, not \(tensor.dataType)")
        }
    }

    func requiredInts(_ index: Int32, _ what: String) throws(ModelFormatError) -> [Int] {
        guard let values = try constantInts(index) else {
            throw unsupported("the \(what) must be a constant tensor; ModelGate imports only constant \(what)s")
        }
        return values
    }

    // MARK: - Values

    /// The ONNX value of tensor `index`, making constants (dequantized) on first use.
    func value(_ index: Int32) throws(ModelFormatError) -> String {
        if let name = values[Int(index)] { return name }
        guard try isConstant(index) else {
            let tensor = try tensor(index)
            throw malformed("reads tensor \(index) '\(tensor.name)' before any operator writes it")
        }
        let name = try constant(index, permutation: nil)
        values[Int(index)] = name
        return name
    }

    /// The ONNX value of tensor `index` with its axes permuted by `perm`: a constant permuted at
    /// import (quantization axis included), anything else through a Transpose node.
    func value(_ index: Int32, permuted perm: [Int]) throws(ModelFormatError) -> String {
        guard try isConstant(index), values[Int(index)] == nil else {
            return transpose(try value(index), perm: perm)
        }
        return try constant(index, permutation: perm)
    }

    private func constant(_ index: Int32, permutation: [Int]?) throws(ModelFormatError) -> String {
        let key = "\(subgraphIndex):\(index):\(permutation ?? [])"
        if let name = context.constants[key] { return name }
        guard var raw = try constantTensor(index) else { throw malformed("tensor \(index) has no data") }
        let tensor = try tensor(index)
        var axis = Int(tensor.quantization?.quantizedDimension ?? 0)
        if let permutation {
            guard permutation.count == raw.rank else {
                throw malformed("tensor '\(tensor.name)' has rank \(raw.rank), not the \(permutation.count) the operator needs")
            }
            do { raw = try raw.permuted(permutation) } catch { throw .invalidTensor(file: file, tensor: tensor.name, reason: error.description) }
            axis = permutation.firstIndex(of: axis) ?? axis
        }
        let hint = self.hint(index)
        let stored = try context.addInitializer(raw, hint: hint)
        var result = stored
        if let quantization = tensor.quantization, quantization.isPresent, raw.dataType != .float, raw.dataType != .float16 {
            result = try dequantize(stored, quantization, elementType: raw.dataType, axis: axis, count: Self.size(of: raw.shape, axis: axis), tensorName: self.hint(index))
        }
        context.constants[key] = result
        return result
    }

    // MARK: - Nodes

    /// Appends a node with fresh output names derived from `hint`; returns its outputs.
    @discardableResult
    func add(_ opType: String, _ inputs: [String], _ attributes: [Attribute] = [], hint: String, outputs count: Int = 1) -> [String] {
        let outputs = (0..<count).map { context.freshName(count == 1 ? hint : "\(hint):\($0)") }
        nodes.append(Node(name: outputs[0], opType: opType, inputs: inputs, outputs: outputs, attributes: attributes))
        return outputs
    }

    func op(_ opType: String, _ inputs: [String], _ attributes: [Attribute] = [], hint: String) -> String {
        add(opType, inputs, attributes, hint: hint)[0]
    }

    /// A hint for the values made for tensor `index`: the first of the `;`-joined names the
    /// converter gives a fused tensor.
    func hint(_ index: Int32) -> String {
        guard index >= 0, Int(index) < subgraph.tensors.count else { return "t\(index)" }
        let name = subgraph.tensors[Int(index)].name.split(separator: ";").first.map(String.init) ?? ""
        return name.isEmpty ? "t\(index)" : name
    }

    /// `name` transposed by `perm`; a transpose of a transpose this builder made folds into one, and
    /// a per-tensor `DequantizeLinear` made here is transposed on its integers (a Transpose of the
    /// int8 values, then DequantizeLinear), so that the operator reading it reads dequantized
    /// integers as QDQ kernels expect.
    func transpose(_ name: String, perm: [Int]) -> String {
        if perm == Array(0..<perm.count) { return name }
        if let (source, first) = transposeSources[name], first.count == perm.count {
            return transpose(source, perm: perm.map { first[$0] })
        }
        let key = "\(name):\(perm)"
        if let made = madeTransposes[key] { return made }
        let output: String
        if let dequantized = dequantizeSources[name] {
            let integers = transpose(dequantized.integers, perm: perm)
            output = op("DequantizeLinear", [integers, dequantized.scale, dequantized.zeroPoint], hint: "\(name)/transposed")
            dequantizeSources[output] = (integers, dequantized.scale, dequantized.zeroPoint)
        } else {
            output = op("Transpose", [name], [.ints("perm", perm)], hint: "\(name)/transposed")
        }
        transposeSources[output] = (name, perm)
        madeTransposes[key] = output
        return output
    }

    /// `nodes` without those no value of `outputs` depends on (transposes of integers that only
    /// the operators' layout changes made and nothing reads), and every name the kept nodes read.
    /// Names read inside a node's subgraphs count as read by the node.
    static func live(_ nodes: [Node], outputs: [String]) -> (nodes: [Node], reads: Set<String>) {
        var needed = Set(outputs)
        func read(_ graph: Graph) {
            for node in graph.nodes {
                needed.formUnion(node.inputs)
                for subgraph in node.subgraphs { read(subgraph) }
            }
            needed.formUnion(graph.outputs.map(\.name))
        }
        var kept: [Node] = []
        for node in nodes.reversed() where node.outputs.contains(where: needed.contains) {
            kept.append(node)
            needed.formUnion(node.inputs)
            for subgraph in node.subgraphs { read(subgraph) }
        }
        return (kept.reversed(), needed)
    }

    /// NHWC → NCHW (rank 4; rank 3 NWC → NCW).
    func channelsFirst(_ name: String, rank: Int) -> String {
        transpose(name, perm: [0, rank - 1] + Array(1..<(rank - 1)))
    }

    /// NCHW → NHWC.
    func channelsLast(_ name: String, rank: Int) -> String {
        transpose(name, perm: [0] + Array(2..<rank) + [1])
    }

    /// Applies TFLite's fused activation `code` (`ActivationFunctionType`) to `name`.
    func fusedActivation(_ code: Int8, _ name: String, hint: String) throws(ModelFormatError) -> String {
        switch code {
        case 0: return name
        case 1: return op("Relu", [name], hint: "\(hint)/relu")
        case 2: return op("Clip", [name, try context.floatScalar(-1), try context.floatScalar(1)], hint: "\(hint)/relu_n1_to_1")
        case 3: return op("Clip", [name, try context.floatScalar(0), try context.floatScalar(6)], hint: "\(hint)/relu6")
        case 4: return op("Tanh", [name], hint: "\(hint)/tanh")
        default: throw unsupported("fused activation \(code) (SIGN_BIT or unknown) is not imported")
        }
    }

    /// The size of `axis` in `shape`, 1 when the axis is outside it (a per-tensor quantization's).
    static func size(of shape: [Int], axis: Int) -> Int {
        axis >= 0 && axis < shape.count ? shape[axis] : 1
    }
}
