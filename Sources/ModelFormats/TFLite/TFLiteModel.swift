/// The parts of a TensorFlow Lite file (the `tflite` FlatBuffers schema, `schema.fbs`, file
/// identifier `TFL3`) that ModelGate imports, read and bounds-checked in full up front.
struct TFLiteModel: Sendable {
    var version: UInt32
    var description: String
    var operatorCodes: [TFLiteOperatorCode]
    var subgraphs: [TFLiteSubgraph]
    var buffers: [TFLiteBuffer]
    var signatures: [TFLiteSignature]
    /// The whole file, which buffers point into.
    var file: FlatBuffer

    /// Reads the model tables of `buffer`.
    ///
    /// - Throws: `ModelFormatError.malformed` naming the file and the table or field out of bounds.
    init(_ buffer: FlatBuffer) throws(ModelFormatError) {
        file = buffer
        let root = try buffer.rootTable()
        guard buffer.identifier == "TFL3" else {
            throw buffer.malformed("file identifier is '\(buffer.identifier.filter { $0.isASCII && !$0.isWhitespace })', not TFL3: not a TensorFlow Lite model")
        }
        version = try root.uint32(0, "version")
        operatorCodes = try root.tables(1, "operator_codes", type: "OperatorCode").map(TFLiteOperatorCode.init)
        subgraphs = try root.tables(2, "subgraphs", type: "SubGraph").map(TFLiteSubgraph.init)
        description = try root.string(3, "description") ?? ""
        buffers = try root.tables(4, "buffers", type: "Buffer").map(TFLiteBuffer.init)
        signatures = try root.tables(7, "signature_defs", type: "SignatureDef").map(TFLiteSignature.init)
        guard !subgraphs.isEmpty else { throw buffer.malformed("the model has no subgraphs") }
    }

    /// The bytes of buffer `index` (empty for index 0 and buffers without data), checked to lie in the file.
    func bufferBytes(_ index: Int, tensor: String) throws(ModelFormatError) -> ArraySlice<UInt8> {
        guard index >= 0, index < buffers.count else {
            throw .invalidTensor(file: file.file, tensor: tensor,
                                 reason: "refers to buffer \(index) but the model has \(buffers.count) buffers; the file is corrupt")
        }
        switch buffers[index].location {
        case .none:
            return []
        case .inline(let range):
            return file.bytes[range]
        case let .external(offset, size):
            guard offset <= UInt64(Int.max), size <= UInt64(Int.max) else {
                throw .invalidTensor(file: file.file, tensor: tensor, reason: "buffer \(index) has offset \(offset) and size \(size) beyond the file")
            }
            try file.check(Int(offset), size: Int(size), "buffer \(index) (offset form) of tensor '\(tensor)'")
            return file.bytes[Int(offset)..<Int(offset) + Int(size)]
        }
    }
}

/// `OperatorCode`: a builtin operator (with the extended `builtin_code` used from code 127 up) or a custom one.
struct TFLiteOperatorCode: Sendable {
    var builtinCode: Int32
    var customCode: String?
    var version: Int32

    init(_ table: FlatTable) throws(ModelFormatError) {
        let deprecated = Int32(try table.int8(0, "deprecated_builtin_code"))
        customCode = try table.string(1, "custom_code")
        version = try table.int32(2, "version", default: 1)
        let extended = try table.int32(3, "builtin_code")
        builtinCode = max(deprecated, extended)
    }

    /// The `BuiltinOperator` code of custom operators.
    static let customBuiltinCode: Int32 = 32

    /// The operator's name: the builtin's schema name, or `CUSTOM(name)`.
    var name: String {
        if builtinCode == Self.customBuiltinCode { return "CUSTOM(\(customCode ?? "?"))" }
        return TFLiteBuiltin.name(of: builtinCode)
    }
}

/// `SubGraph`: tensors, the graph's input and output tensor indices and operators in execution order.
struct TFLiteSubgraph: Sendable {
    var name: String
    var tensors: [TFLiteTensor]
    var inputs: [Int32]
    var outputs: [Int32]
    var operators: [TFLiteOperator]

    init(_ table: FlatTable) throws(ModelFormatError) {
        tensors = try table.tables(0, "tensors", type: "Tensor").map(TFLiteTensor.init)
        inputs = try table.int32s(1, "inputs") ?? []
        outputs = try table.int32s(2, "outputs") ?? []
        operators = try table.tables(3, "operators", type: "Operator").map(TFLiteOperator.init)
        name = try table.string(4, "name") ?? ""
    }
}

/// `Tensor`: shape (and `shape_signature` with -1 for sizes free at run time), element type,
/// buffer index and quantization.
struct TFLiteTensor: Sendable {
    var name: String
    var shape: [Int32]
    var shapeSignature: [Int32]?
    var type: Int8
    var buffer: UInt32
    var quantization: TFLiteQuantization?
    var isVariable: Bool
    var isSparse: Bool

    init(_ table: FlatTable) throws(ModelFormatError) {
        shape = try table.int32s(0, "shape") ?? []
        type = try table.int8(1, "type")
        buffer = try table.uint32(2, "buffer")
        name = try table.string(3, "name") ?? ""
        quantization = try table.table(4, "quantization", type: "QuantizationParameters").map(TFLiteQuantization.init)
        isVariable = try table.bool(5, "is_variable")
        isSparse = try table.table(6, "sparsity", type: "SparsityParameters") != nil
        shapeSignature = try table.int32s(7, "shape_signature")
    }
}

/// `QuantizationParameters`: real = scale × (q − zero_point), per tensor or along `quantizedDimension`.
struct TFLiteQuantization: Sendable {
    var scales: [Float]
    var zeroPoints: [Int64]
    var quantizedDimension: Int32
    /// Whether a custom `details` scheme replaces scale and zero point.
    var hasCustomDetails: Bool

    init(_ table: FlatTable) throws(ModelFormatError) {
        scales = try table.floats(2, "scale") ?? []
        zeroPoints = try table.int64s(3, "zero_point") ?? []
        hasCustomDetails = try table.uint8(4, "details_type") != 0
        quantizedDimension = try table.int32(6, "quantized_dimension")
    }

    /// Whether the parameters say anything (converters write empty tables for float tensors).
    var isPresent: Bool { !scales.isEmpty }
}

/// `Buffer`: data inline in the FlatBuffer, or (models over 2 GB) at an offset of the file.
struct TFLiteBuffer: Sendable {
    enum Location: Sendable {
        case none
        case inline(Range<Int>)
        case external(offset: UInt64, size: UInt64)
    }

    var location: Location

    init(_ table: FlatTable) throws(ModelFormatError) {
        let offset = try table.uint64(1, "offset")
        let size = try table.uint64(2, "size")
        if offset > 1 {
            location = .external(offset: offset, size: size)
        } else if let data = try table.vector(0, "data", elementSize: 1), data.count > 0 {
            location = .inline(data.byteRange)
        } else {
            location = .none
        }
    }
}

/// `Operator`: an index into the operator codes, input and output tensor indices (-1 for an
/// omitted optional input) and the builtin options table.
struct TFLiteOperator: Sendable {
    var opcodeIndex: UInt32
    var inputs: [Int32]
    var outputs: [Int32]
    var optionsType: UInt8
    var options: FlatTable?
    var intermediates: [Int32]

    init(_ table: FlatTable) throws(ModelFormatError) {
        opcodeIndex = try table.uint32(0, "opcode_index")
        inputs = try table.int32s(1, "inputs") ?? []
        outputs = try table.int32s(2, "outputs") ?? []
        optionsType = try table.uint8(3, "builtin_options_type")
        options = try table.table(4, "builtin_options", type: "BuiltinOptions")
        intermediates = try table.int32s(8, "intermediates") ?? []
    }
}

/// `SignatureDef`: names for a subgraph's inputs and outputs.
struct TFLiteSignature: Sendable {
    var key: String
    var subgraphIndex: UInt32
    var inputs: [(name: String, tensor: UInt32)]
    var outputs: [(name: String, tensor: UInt32)]

    init(_ table: FlatTable) throws(ModelFormatError) {
        func maps(_ slot: Int, _ field: String) throws(ModelFormatError) -> [(name: String, tensor: UInt32)] {
            var result: [(name: String, tensor: UInt32)] = []
            for map in try table.tables(slot, field, type: "TensorMap") {
                result.append((try map.string(0, "name") ?? "", try map.uint32(1, "tensor_index")))
            }
            return result
        }
        inputs = try maps(0, "inputs")
        outputs = try maps(1, "outputs")
        key = try table.string(2, "signature_key") ?? ""
        subgraphIndex = try table.uint32(4, "subgraph_index")
    }
}
