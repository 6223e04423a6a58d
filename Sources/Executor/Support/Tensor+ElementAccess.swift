import ModelIR

/// The most elements one kernel output may have (8 Gi), so that shapes read from a file cannot
/// make the executor try to allocate without bound.
let maxOutputElements = 1 << 33

extension Tensor {
    /// A new tensor of `T` and `shape` whose elements `body` writes (they start at zero).
    public static func filled<T: TensorScalar>(_ type: T.Type, shape: [Int],
                                               _ body: (UnsafeMutableBufferPointer<T>) throws -> Void) throws -> Tensor {
        let count = try checkedCount(shape)
        let buffer = TensorBuffer(byteCount: T.dataType.byteCount(elements: count))
        try body(buffer.mutableBytes.bindMemory(to: T.self))
        return try Tensor(dataType: T.dataType, shape: shape, buffer: buffer)
    }

    /// A new tensor of `dataType` (not string) whose bytes `body` writes.
    public static func filledBytes(_ dataType: DataType, shape: [Int],
                                   _ body: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Tensor {
        let count = try checkedCount(shape)
        let buffer = TensorBuffer(byteCount: dataType.byteCount(elements: count))
        try body(buffer.mutableBytes)
        return try Tensor(dataType: dataType, shape: shape, buffer: buffer)
    }

    /// The element count of `shape`, refusing negative dimensions and outputs over the size limit.
    public static func checkedCount(_ shape: [Int]) throws -> Int {
        let count: Int
        do { count = try Tensor.elementCount(of: shape) } catch { throw KernelError.invalidInput("invalid shape \(shape)") }
        guard count <= maxOutputElements else {
            throw KernelError.invalidInput("shape \(shape) has \(count) elements, over the executor's limit of \(maxOutputElements)")
        }
        return count
    }

    /// Calls `body` with the elements as `T`, which must be the tensor's type (throws otherwise, rather than trapping).
    /// Bool tensors may be read as `UInt8`.
    public func withElements<T: TensorScalar, R>(_ type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) throws -> R {
        guard T.dataType == dataType || (dataType == .bool && T.self == UInt8.self) else {
            throw KernelError.unsupportedType("expected \(T.dataType), got \(dataType)")
        }
        let count = elementCount
        return try withUnsafeBytes { raw in
            try body(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: T.self), count: count))
        }
    }

    /// The elements as an array of `T`, which must be the tensor's type.
    public func elements<T: TensorScalar>(_ type: T.Type) throws -> [T] {
        try withElements(T.self) { Array($0) }
    }

    /// The integer elements of an index-like tensor (int32 or int64).
    public func indexValues() throws -> [Int] {
        switch dataType {
        case .int64: return try withElements(Int64.self) { $0.map { Int(truncatingIfNeeded: $0) } }
        case .int32: return try withElements(Int32.self) { $0.map { Int($0) } }
        default:
            guard dataType.isInteger else { throw KernelError.unsupportedType("expected an integer tensor, got \(dataType)") }
            return try int64Values().map { Int(truncatingIfNeeded: $0) }
        }
    }

    /// The single value of a scalar or one-element tensor as a Double.
    public func scalarDouble() throws -> Double {
        guard elementCount == 1 else { throw KernelError.invalidInput("expected one element, got shape \(shape)") }
        return try doubleValues()[0]
    }

    /// The single value of a scalar or one-element integer tensor.
    public func scalarInt() throws -> Int {
        guard elementCount == 1 else { throw KernelError.invalidInput("expected one element, got shape \(shape)") }
        return try indexValues()[0]
    }

    /// A 1-D int64 tensor.
    public static func int64Vector(_ values: [Int]) -> Tensor {
        (try? Tensor(shape: [values.count], scalars: values.map { Int64($0) })) ?? Tensor(scalar: Int64(0))
    }

    /// Bytes per element for byte-addressable types; 0 for strings and sub-byte types.
    var elementStride: Int { dataType.bitWidth >= 8 && dataType.bitWidth % 8 == 0 ? dataType.bitWidth / 8 : 0 }

    /// This tensor broadcast to `shape` (numpy's rules: each dimension, aligned from the right,
    /// equal or 1). The trailing dimensions the tensor already has are copied as one block per
    /// position of the leading ones, with no index list: Expand of a [1, 1, 25088, 392] index
    /// tensor moves 19.7 M elements with as many reads.
    public func broadcasting(to shape: [Int]) throws -> Tensor {
        guard shape.count >= rank, strings == nil, elementStride > 0 else {
            return try gathering(shape: shape, sourceIndices: Broadcast.sourceIndices(of: self.shape, in: shape))
        }
        let dims = [Int](repeating: 1, count: shape.count - rank) + self.shape
        guard zip(dims, shape).allSatisfy({ $0 == $1 || $0 == 1 }) else {
            throw KernelError.invalidInput("shape \(self.shape) cannot be broadcast to \(shape)")
        }
        var split = shape.count, block = 1
        while split > 0 && dims[split - 1] == shape[split - 1] {
            split -= 1
            block *= shape[split]
        }
        let width = elementStride, bytes = block * width
        let count = try Tensor.checkedCount(shape)
        let buffer = TensorBuffer(uninitializedByteCount: dataType.byteCount(elements: count))
        let strides = Strides(dims).values
        let outer = shape[..<split].reduce(1, *)
        guard count > 0 else { return try Tensor(dataType: dataType, shape: shape, buffer: buffer) }
        withUnsafeBytes { source in
            guard let from = source.baseAddress else { return }
            let to = buffer.baseAddress
            var index = [Int](repeating: 0, count: split)
            var offset = 0
            for o in 0..<outer {
                let target = to + o * bytes, origin = from + offset * width
                switch bytes {
                case 8: target.storeBytes(of: origin.loadUnaligned(as: UInt64.self), as: UInt64.self)
                case 4: target.storeBytes(of: origin.loadUnaligned(as: UInt32.self), as: UInt32.self)
                default: target.copyMemory(from: origin, byteCount: bytes)
                }
                var axis = split - 1
                while axis >= 0 {
                    index[axis] += 1
                    if dims[axis] != 1 { offset += strides[axis] }
                    if index[axis] < shape[axis] { break }
                    if dims[axis] != 1 { offset -= strides[axis] * shape[axis] }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        return try Tensor(dataType: dataType, shape: shape, buffer: buffer)
    }

    /// A tensor of this type and `shape` whose element `i` is this tensor's element `sourceIndices[i]`:
    /// the data-movement primitive behind transpose, slice, gather, expand and tile, for any type.
    public func gathering(shape: [Int], sourceIndices: [Int]) throws -> Tensor {
        let count = try Tensor.checkedCount(shape)
        guard sourceIndices.count == count else { throw KernelError.invalidInput("index map does not match shape \(shape)") }
        if let strings {
            return try Tensor(shape: shape, strings: sourceIndices.map { strings[$0] })
        }
        if dataType.isSubByte {
            let values = try doubleValues()
            return try Tensor(converting: sourceIndices.map { values[$0] }, to: dataType, shape: shape)
        }
        let width = elementStride
        return try withUnsafeBytes { source in
            try Tensor.filledBytes(dataType, shape: shape) { target in
                guard let from = source.baseAddress, let to = target.baseAddress else { return }
                switch width {
                case 1:
                    let s = from.assumingMemoryBound(to: UInt8.self), t = to.assumingMemoryBound(to: UInt8.self)
                    for (i, j) in sourceIndices.enumerated() { t[i] = s[j] }
                case 2:
                    let s = from.assumingMemoryBound(to: UInt16.self), t = to.assumingMemoryBound(to: UInt16.self)
                    for (i, j) in sourceIndices.enumerated() { t[i] = s[j] }
                case 4:
                    let s = from.assumingMemoryBound(to: UInt32.self), t = to.assumingMemoryBound(to: UInt32.self)
                    for (i, j) in sourceIndices.enumerated() { t[i] = s[j] }
                case 8:
                    let s = from.assumingMemoryBound(to: UInt64.self), t = to.assumingMemoryBound(to: UInt64.self)
                    for (i, j) in sourceIndices.enumerated() { t[i] = s[j] }
                default:
                    for (i, j) in sourceIndices.enumerated() {
                        (to + i * width).copyMemory(from: from + j * width, byteCount: width)
                    }
                }
            }
        }
    }

    /// Tensors of the same type joined along `axis` (every other dimension equal).
    public static func concatenating(_ parts: [Tensor], axis: Int) throws -> Tensor {
        guard let first = parts.first else { throw KernelError.invalidInput("nothing to concatenate") }
        let rank = first.rank
        guard axis >= 0 && axis < max(rank, 1) else { throw KernelError.invalidInput("axis \(axis) out of range for rank \(rank)") }
        var shape = first.shape
        var total = 0
        for part in parts {
            guard part.dataType == first.dataType else { throw KernelError.invalidInput("concatenating \(part.dataType) with \(first.dataType)") }
            guard part.rank == rank, (0..<rank).allSatisfy({ $0 == axis || part.shape[$0] == first.shape[$0] }) else {
                throw KernelError.invalidInput("shapes \(first.shape) and \(part.shape) differ outside axis \(axis)")
            }
            total += part.shape[axis]
        }
        shape[axis] = total
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        if first.dataType == .string || first.dataType.isSubByte {
            var map: [Int] = []
            var joined: [[UInt8]] = []
            var doubles: [Double] = []
            var offsets: [Int] = []
            for part in parts {
                offsets.append(first.dataType == .string ? joined.count : doubles.count)
                if let strings = part.strings { joined += strings } else { doubles += try part.doubleValues() }
            }
            for o in 0..<outer {
                for (p, part) in parts.enumerated() {
                    let size = part.shape[axis] * inner
                    for i in 0..<size { map.append(offsets[p] + o * size + i) }
                }
            }
            if first.dataType == .string {
                return try Tensor(shape: shape, strings: map.map { joined[$0] })
            }
            return try Tensor(converting: map.map { doubles[$0] }, to: first.dataType, shape: shape)
        }
        let width = first.elementStride
        let buffer = TensorBuffer(uninitializedByteCount: first.dataType.byteCount(elements: try checkedCount(shape)))
        let partBytes = parts.map { $0.shape[axis] * inner * width }
        let rowBytes = partBytes.reduce(0, +)
        guard rowBytes > 0 else { return try Tensor(dataType: first.dataType, shape: shape, buffer: buffer) }
        let rowStarts = partBytes.indices.map { partBytes[..<$0].reduce(0, +) }
        withExtendedLifetime(parts) {
            let sources = parts.map { part in part.withUnsafeBytes { $0.baseAddress } }
            let to = buffer.baseAddress
            ParallelFor.run(outer, grain: max(1, (1 << 17) / rowBytes)) { rows in
                for o in rows {
                    for (p, source) in sources.enumerated() where partBytes[p] > 0 {
                        guard let source else { continue }
                        let from = source + o * partBytes[p], target = to + o * rowBytes + rowStarts[p]
                        switch partBytes[p] {
                        case 8: target.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
                        case 4: target.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
                        default: target.copyMemory(from: from, byteCount: partBytes[p])
                        }
                    }
                }
            }
        }
        return try Tensor(dataType: first.dataType, shape: shape, buffer: buffer)
    }
}

extension Tensor {
    /// Several tensors of one type flattened into one 1-D tensor, with the offset where each starts:
    /// a source for `gathering` that picks from more than one tensor.
    public static func flatJoined(_ tensors: [Tensor]) throws -> (tensor: Tensor, offsets: [Int]) {
        var offsets: [Int] = []
        var total = 0
        for tensor in tensors {
            offsets.append(total)
            total += tensor.elementCount
        }
        return (try concatenating(tensors.map { try $0.reshaped(to: [$0.elementCount]) }, axis: 0), offsets)
    }
}

/// Every multi-index of `shape` in row-major order, calling `body(flatIndex, index)`.
public func forEachIndex(_ shape: [Int], _ body: (Int, [Int]) throws -> Void) rethrows {
    let count = shape.reduce(1, *)
    guard count > 0 else { return }
    var index = [Int](repeating: 0, count: shape.count)
    for flat in 0..<count {
        try body(flat, index)
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < shape[axis] { break }
            index[axis] = 0
            axis -= 1
        }
    }
}
