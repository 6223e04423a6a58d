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
    private var transposeSources: [String: (source: String, perm: [Int])] = [:]
    /// Per-tensor DequantizeLinear nodes made here: output → the integers and parameters it reads.
    private var dequantizeSources: [String: (integers: String, scale: String, zeroPoint: String)] = [:]
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
            guard permutation.count == raw.rank, Set(permutation) == Set(0..<raw.rank) else {
                throw malformed("tensor '\(tensor.name)' has rank \(raw.rank), not the \(permutation.count) the operator needs")
            }
            raw = try permuted(raw, permutation)
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

    private func permuted(_ tensor: Tensor, _ perm: [Int]) throws(ModelFormatError) -> Tensor {
        let shape = tensor.shape
        let newShape = perm.map { shape[$0] }
        let elementSize = max(tensor.dataType.bitWidth / 8, 1)
        let count = tensor.elementCount
        guard count > 0 else {
            do { return try tensor.reshaped(to: newShape) } catch { throw .invalidTensor(file: file, tensor: tensor.name, reason: error.description) }
        }
        let output = TensorBuffer(byteCount: count * elementSize)
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        let permutedStrides = perm.map { strides[$0] }
        tensor.withUnsafeBytes { source in
            var index = [Int](repeating: 0, count: newShape.count)
            for position in 0..<count {
                var offset = 0
                for axis in 0..<index.count { offset += index[axis] * permutedStrides[axis] }
                let target = output.mutableBytes.baseAddress! + position * elementSize
                target.copyMemory(from: source.baseAddress! + offset * elementSize, byteCount: elementSize)
                var axis = newShape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < newShape[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        do { return try Tensor(name: tensor.name, dataType: tensor.dataType, shape: newShape, buffer: output) } catch {
            throw .invalidTensor(file: file, tensor: tensor.name, reason: error.description)
        }
    }

    /// The scale and zero-point initializers of `quantization` for elements of `elementType`.
    private func quantizationParameters(_ quantization: TFLiteQuantization, elementType: DataType, axis: Int, count: Int, tensorName: String)
        throws(ModelFormatError) -> (scale: String, zeroPoint: String, axis: Int?) {
        let scales = quantization.scales
        var zeroPoints = quantization.zeroPoints
        if zeroPoints.isEmpty { zeroPoints = [Int64](repeating: 0, count: scales.count) }
        guard !quantization.hasCustomDetails else { throw unsupported("tensor '\(tensorName)' uses custom quantization details") }
        guard zeroPoints.count == scales.count, scales.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw malformed("tensor '\(tensorName)' has \(scales.count) scales and \(zeroPoints.count) zero points, or a scale that is not positive")
        }
        let perAxis = scales.count > 1
        if perAxis, scales.count != count {
            throw malformed("tensor '\(tensorName)' has \(scales.count) scales for \(count) channels along axis \(axis)")
        }
        let shape = perAxis ? [scales.count] : []
        let key = "q:\(elementType):\(perAxis ? scales : [scales[0]]):\(perAxis ? zeroPoints : [zeroPoints[0]])"
        if let shared = context.quantizationParameters[key] { return (shared.scale, shared.zeroPoint, perAxis ? axis : nil) }
        let scaleName = try context.addInitializer(context.tensorOf(shape: shape, scalars: perAxis ? scales : [scales[0]], hint: "\(tensorName)/scale"), hint: "\(tensorName)/scale")
        let points = perAxis ? zeroPoints : [zeroPoints[0]]
        let zeroTensor: Tensor
        switch elementType {
        case .int8:
            guard points.allSatisfy({ $0 >= -128 && $0 <= 127 }) else { throw malformed("tensor '\(tensorName)' has an int8 zero point out of range") }
            zeroTensor = try context.tensorOf(shape: shape, scalars: points.map { Int8($0) }, hint: tensorName)
        case .uint8:
            guard points.allSatisfy({ $0 >= 0 && $0 <= 255 }) else { throw malformed("tensor '\(tensorName)' has a uint8 zero point out of range") }
            zeroTensor = try context.tensorOf(shape: shape, scalars: points.map { UInt8($0) }, hint: tensorName)
        case .int32:
            guard points.allSatisfy({ $0 == 0 }) else { throw unsupported("int32 tensor '\(tensorName)' has a non-zero zero point") }
            zeroTensor = try context.tensorOf(shape: shape, scalars: points.map { Int32($0) }, hint: tensorName)
        default:
            throw unsupported("tensor '\(tensorName)' is quantized as \(elementType); ModelGate imports int8, uint8 and int32 (bias) quantization")
        }
        let zeroName = try context.addInitializer(zeroTensor, hint: "\(tensorName)/zero_point")
        context.quantizationParameters[key] = (scaleName, zeroName)
        return (scaleName, zeroName, perAxis ? axis : nil)
    }

    /// `DequantizeLinear` of the integer value `name`.
    func dequantize(_ name: String, _ quantization: TFLiteQuantization, elementType: DataType, axis: Int, count: Int, tensorName: String)
        throws(ModelFormatError) -> String {
        let parameters = try quantizationParameters(quantization, elementType: elementType, axis: axis, count: count, tensorName: tensorName)
        let output = op("DequantizeLinear", [name, parameters.scale, parameters.zeroPoint], parameters.axis.map { [.int("axis", $0)] } ?? [],
                        hint: "\(tensorName)/dequantized")
        if parameters.axis == nil { dequantizeSources[output] = (name, parameters.scale, parameters.zeroPoint) }
        return output
    }

    /// `QuantizeLinear` of the float value `name` to `elementType`.
    func quantize(_ name: String, _ quantization: TFLiteQuantization, elementType: DataType, count: Int, tensorName: String, outputName: String? = nil)
        throws(ModelFormatError) -> String {
        let axis = Int(quantization.quantizedDimension)
        let parameters = try quantizationParameters(quantization, elementType: elementType, axis: axis, count: count, tensorName: tensorName)
        let attributes: [Attribute] = parameters.axis.map { [.int("axis", $0)] } ?? []
        if let outputName {
            nodes.append(Node(name: outputName, opType: "QuantizeLinear", inputs: [name, parameters.scale, parameters.zeroPoint], outputs: [outputName], attributes: attributes))
            return outputName
        }
        return op("QuantizeLinear", [name, parameters.scale, parameters.zeroPoint], attributes, hint: "\(tensorName)/quantized")
    }

    /// `name`, a value of quantized tensor `source`, as tensor `target` reads the same stored
    /// integers: quantized with `source`'s parameters and dequantized with `target`'s. `name`
    /// itself when the tensors are not both int8 or uint8 quantized per tensor alike.
    func reinterpretingIntegers(_ name: String, from source: Int32, as target: Int32) throws(ModelFormatError) -> String {
        let type = try dataType(source)
        guard type == .int8 || type == .uint8, try dataType(target) == type,
              let from = try tensor(source).quantization, from.isPresent, from.scales.count == 1,
              let to = try tensor(target).quantization, to.isPresent, to.scales.count == 1,
              from.scales != to.scales || from.zeroPoints != to.zeroPoints else { return name }
        let integers = try quantize(name, from, elementType: type, count: 1, tensorName: hint(source))
        return try dequantize(integers, to, elementType: type, axis: 0, count: 1, tensorName: "\(hint(target))/reinterpreted")
    }

    /// Records `name` as the value of tensor `index`: snapped to the tensor's quantization grid
    /// (QuantizeLinear then DequantizeLinear) when it is a quantized tensor, renamed to the
    /// graph-output name it must have. A per-tensor quantized `name` that is a transpose made here
    /// is quantized before the transpose, so that the integers move and an operator reading the
    /// transpose back reads `DequantizeLinear` of the quantized result itself.
    func setOutput(_ index: Int32, _ name: String) throws(ModelFormatError) {
        let tensor = try tensor(index)
        var result = name
        let type = try dataType(index)
        if let quantization = tensor.quantization, quantization.isPresent, type == .int8 || type == .uint8 {
            let shape = try shape(index)
            let axis = Int(quantization.quantizedDimension)
            let count = Self.size(of: shape, axis: axis)
            if quantization.scales.count == 1, dequantizeSources[name] == nil, let (source, perm) = transposeSources[name] {
                let quantized = try quantize(source, quantization, elementType: type, count: 1, tensorName: hint(index))
                result = try dequantize(transpose(quantized, perm: perm), quantization, elementType: type, axis: axis, count: count, tensorName: hint(index))
            } else {
                let quantized = try quantize(name, quantization, elementType: type, count: count, tensorName: hint(index))
                result = try dequantize(quantized, quantization, elementType: type, axis: axis, count: count, tensorName: hint(index))
            }
        } else if tensor.quantization?.isPresent == true, type == .int16 {
            throw unsupported("tensor '\(tensor.name)' is quantized to int16; ModelGate imports int8 and uint8 activations")
        }
        if let preferred = preferredNames[Int(index)], preferred != result {
            nodes.append(Node(name: preferred, opType: "Identity", inputs: [result], outputs: [preferred]))
            result = preferred
        }
        values[Int(index)] = result
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
