/// A dense tensor: element type, static shape and storage, plus what ONNX records about it.
///
/// Fixed-width elements are stored as bytes in ONNX's `raw_data` layout (little-endian, sub-byte
/// types packed low bits first) in a shared, copy-on-write `TensorBuffer`; strings as byte arrays.
/// `encoding` remembers how the file stored the data so a model can be written back as it was read.
public struct Tensor: Sendable {
    /// Where a tensor's elements live.
    public enum Storage: Sendable {
        case bytes(TensorBuffer)
        case strings([[UInt8]])
    }

    public var name: String
    public let dataType: DataType
    public let shape: [Int]
    public private(set) var storage: Storage
    public var docString: String = ""
    public var metadata: [MetadataEntry] = []
    public var encoding: TensorEncoding = .rawData
    /// Serialized protobuf fields of the file's tensor that the IR does not model, written back as they were.
    public var preservedFields: [UInt8] = []

    /// A tensor over `buffer`, which must hold exactly `dataType.byteCount(elements:)` bytes for `shape`.
    public init(name: String = "", dataType: DataType, shape: [Int], buffer: TensorBuffer) throws(TensorError) {
        guard dataType != .string, dataType != .undefined else {
            throw .unsupported("a byte buffer cannot hold \(dataType) elements")
        }
        let count = try Tensor.elementCount(of: shape)
        let expected = dataType.byteCount(elements: count)
        guard buffer.byteCount == expected else {
            throw .sizeMismatch(name: name, shape: shape, dataType: dataType, expectedBytes: expected, actualBytes: buffer.byteCount)
        }
        self.name = name
        self.dataType = dataType
        self.shape = shape
        storage = .bytes(buffer)
    }

    /// A string tensor.
    public init(name: String = "", shape: [Int], strings: [[UInt8]]) throws(TensorError) {
        let count = try Tensor.elementCount(of: shape)
        guard strings.count == count else {
            throw .sizeMismatch(name: name, shape: shape, dataType: .string, expectedBytes: count, actualBytes: strings.count)
        }
        self.name = name
        dataType = .string
        self.shape = shape
        storage = .strings(strings)
    }

    /// A tensor of `dataType` and `shape` filled with zero bytes (empty strings for `.string`).
    public init(name: String = "", zeros dataType: DataType, shape: [Int]) throws(TensorError) {
        let count = try Tensor.elementCount(of: shape)
        if dataType == .string {
            try self.init(name: name, shape: shape, strings: Array(repeating: [], count: count))
        } else {
            try self.init(name: name, dataType: dataType, shape: shape,
                          buffer: TensorBuffer(byteCount: dataType.byteCount(elements: count)))
        }
    }

    /// A tensor holding `scalars` in row-major order; `shape` must have `scalars.count` elements.
    public init<T: TensorScalar>(name: String = "", shape: [Int], scalars: [T]) throws(TensorError) {
        let count = try Tensor.elementCount(of: shape)
        guard count == scalars.count else {
            throw .sizeMismatch(name: name, shape: shape, dataType: T.dataType,
                                expectedBytes: count * MemoryLayout<T>.stride, actualBytes: scalars.count * MemoryLayout<T>.stride)
        }
        let buffer = scalars.withUnsafeBytes { TensorBuffer(copying: $0) }
        try self.init(name: name, dataType: T.dataType, shape: shape, buffer: buffer)
    }

    /// A rank-0 tensor holding `value`.
    public init<T: TensorScalar>(name: String = "", scalar value: T) {
        let buffer = Swift.withUnsafeBytes(of: value) { TensorBuffer(copying: $0) }
        self.name = name
        dataType = T.dataType
        shape = []
        storage = .bytes(buffer)
    }

    /// The number of elements `shape` describes; dimensions must be non-negative and the product must fit an `Int`.
    public static func elementCount(of shape: [Int]) throws(TensorError) -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw .invalidShape(shape) }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .invalidShape(shape) }
            count = product
        }
        return count
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }

    /// Bytes of element storage (for strings, the sum of their lengths).
    public var byteCount: Int {
        switch storage {
        case .bytes(let buffer): buffer.byteCount
        case .strings(let strings): strings.reduce(0) { $0 + $1.count }
        }
    }

    /// The element bytes; empty for string tensors.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        switch storage {
        case .bytes(let buffer): try body(buffer.bytes)
        case .strings: try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    /// Mutable element bytes, copying the buffer first if another tensor shares it.
    public mutating func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        guard case .bytes(var buffer) = storage else {
            return try body(UnsafeMutableRawBufferPointer(start: nil, count: 0))
        }
        storage = .strings([])
        if !isKnownUniquelyReferenced(&buffer) { buffer = buffer.copy() }
        storage = .bytes(buffer)
        return try body(buffer.mutableBytes)
    }

    /// The elements viewed as `T`; `T.dataType` must be this tensor's type.
    public func withUnsafeBufferPointer<T: TensorScalar, R, E: Error>(as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws(E) -> R) throws(E) -> R {
        precondition(T.dataType == dataType, "tensor '\(name)' holds \(dataType), not \(T.dataType)")
        return try withUnsafeBytes { (raw) throws(E) -> R in try body(raw.bindMemory(to: T.self)) }
    }

    /// The elements viewed as mutable `T`, copying a shared buffer first; `T.dataType` must be this tensor's type.
    public mutating func withUnsafeMutableBufferPointer<T: TensorScalar, R, E: Error>(as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws(E) -> R) throws(E) -> R {
        precondition(T.dataType == dataType, "tensor '\(name)' holds \(dataType), not \(T.dataType)")
        return try withUnsafeMutableBytes { (raw) throws(E) -> R in try body(raw.bindMemory(to: T.self)) }
    }

    /// The elements as an array of `T`, or nil when the tensor holds another type.
    public func scalars<T: TensorScalar>(as type: T.Type) -> [T]? {
        guard T.dataType == dataType else { return nil }
        return withUnsafeBufferPointer(as: T.self) { Array($0) }
    }

    /// The elements of a string tensor, or nil for other types.
    public var strings: [[UInt8]]? {
        if case .strings(let strings) = storage { return strings }
        return nil
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(to newShape: [Int]) throws(TensorError) -> Tensor {
        guard try Tensor.elementCount(of: newShape) == elementCount else {
            throw .invalidShape(newShape)
        }
        var result: Tensor
        switch storage {
        case .bytes(let buffer): result = try Tensor(name: name, dataType: dataType, shape: newShape, buffer: buffer)
        case .strings(let strings): result = try Tensor(name: name, shape: newShape, strings: strings)
        }
        result.docString = docString
        result.metadata = metadata
        return result
    }
}

extension Tensor: Equatable {
    /// Equal when name, type, shape and every stored bit agree (NaNs compare by their bits).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.name == rhs.name, lhs.hasSameContent(as: rhs) else { return false }
        return true
    }

    /// True when type, shape and every stored bit agree, whatever the names.
    public func hasSameContent(as other: Tensor) -> Bool {
        guard dataType == other.dataType, shape == other.shape else { return false }
        switch (storage, other.storage) {
        case (.strings(let a), .strings(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a === b || a.bytes.elementsEqual(b.bytes)
        default: return false
        }
    }
}

/// How a tensor's data was stored in its ONNX file.
public enum TensorEncoding: Sendable, Equatable {
    /// The `raw_data` bytes field.
    case rawData
    /// The typed repeated fields (`float_data`, `int32_data`, `int64_data`, …).
    case typedFields
    /// A separate file next to the model.
    case external(ExternalDataReference)
}

/// Where external tensor data lives: ONNX's `external_data` entries.
public struct ExternalDataReference: Sendable, Equatable {
    /// Path of the data file relative to the model's folder.
    public var location: String
    public var offset: Int?
    public var length: Int?
    public var checksum: String?
    /// Entries other than location, offset, length and checksum, kept in file order.
    public var otherEntries: [MetadataEntry]

    public init(location: String, offset: Int? = nil, length: Int? = nil, checksum: String? = nil, otherEntries: [MetadataEntry] = []) {
        self.location = location
        self.offset = offset
        self.length = length
        self.checksum = checksum
        self.otherEntries = otherEntries
    }
}

/// Errors building or converting tensors.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    case invalidShape([Int])
    case sizeMismatch(name: String, shape: [Int], dataType: DataType, expectedBytes: Int, actualBytes: Int)
    case unsupported(String)

    public var description: String {
        switch self {
        case .invalidShape(let shape):
            "invalid tensor shape \(shape): dimensions must be non-negative and their product must fit in 64 bits"
        case let .sizeMismatch(name, shape, dataType, expected, actual):
            "tensor '\(name)' of \(dataType) with shape \(shape) needs \(expected) bytes of data but has \(actual)"
        case .unsupported(let what):
            what
        }
    }
}
