import CHDF5
import Foundation
import ModelIR

/// A dataset, or an attribute of a group or dataset, as error messages name it.
struct HDF5Location: CustomStringConvertible {
    /// The normalized path of the dataset, or of the object the attribute belongs to.
    let path: String
    let attribute: String?

    init(path: String, attribute: String? = nil) {
        self.path = HDF5File.normalized(path)
        self.attribute = attribute
    }

    var description: String {
        attribute.map { "attribute '\($0)' of '\(path)'" } ?? "dataset '\(path)'"
    }
}

extension HDF5File {
    /// Reads every element of a dataset or attribute into a tensor, checking rank and size against
    /// `limits` before anything is allocated. Variable-length strings are allocated against the
    /// same limit while they are read, where the `read` closure passes the transfer property list on.
    ///
    /// - Parameters:
    ///   - bytesAlreadyRead: tensor bytes already read in the same request; they count against `limits.maxTensorBytes`.
    ///   - read: reads all elements, converted to `memoryType`, into `buffer` with the `transfer` property list.
    func readTensor(name: String, at location: HDF5Location, fileType: hid_t, space: hid_t, bytesAlreadyRead: Int = 0,
                    read: (_ memoryType: hid_t, _ transfer: hid_t, _ buffer: UnsafeMutableRawPointer?) -> herr_t) throws(ModelFormatError) -> Tensor {
        let shape = try extentShape(space, at: location)
        let elementType = try HDF5ElementType(fileType: fileType, file: displayPath, object: location.description)
        let count: Int
        do { count = try Tensor.elementCount(of: shape) } catch {
            throw readFailure(location, "shape \(shape) has more elements than fit in memory")
        }
        let (bufferBytes, overflow) = count.multipliedReportingOverflow(by: elementType.bufferStride)
        try checkSize(overflow ? nil : bufferBytes, alreadyRead: bytesAlreadyRead, at: location)
        guard let memoryType = elementType.makeMemoryType(for: fileType) else {
            throw readFailure(location, withHDF5Detail("no memory type for its \(elementType.dataType) elements"))
        }
        func readFailed() -> ModelFormatError { readFailure(location, withHDF5Detail("its data cannot be read")) }

        let tensor: Tensor
        switch elementType {
        case .fixedWidth(let dataType):
            let buffer = TensorBuffer(byteCount: bufferBytes)
            if count > 0, read(memoryType.id, chdf5_p_default(), buffer.baseAddress) < 0 { throw readFailed() }
            if dataType == .bool {
                for index in 0..<count where buffer.mutableBytes[index] > 1 { buffer.mutableBytes[index] = 1 }
            }
            tensor = try makeTensor(at: location) { () throws(TensorError) in
                try Tensor(name: name, dataType: dataType, shape: shape, buffer: buffer)
            }
        case .fixedLengthString(let size, let padding):
            var bytes = [UInt8](repeating: 0, count: bufferBytes)
            if count > 0, bytes.withUnsafeMutableBytes({ read(memoryType.id, chdf5_p_default(), $0.baseAddress) }) < 0 { throw readFailed() }
            let strings = (0..<count).map { HDF5File.unpadded(bytes[$0 * size ..< ($0 + 1) * size], padding) }
            tensor = try makeTensor(at: location) { () throws(TensorError) in try Tensor(name: name, shape: shape, strings: strings) }
        case .variableLengthString:
            let strings = try readVariableLengthStrings(count: count, memoryType: memoryType.id, space: space,
                                                        budget: limits.maxTensorBytes - bytesAlreadyRead - bufferBytes,
                                                        at: location, read: read)
            tensor = try makeTensor(at: location) { () throws(TensorError) in try Tensor(name: name, shape: shape, strings: strings) }
            try checkSize(tensor.byteCount, alreadyRead: bytesAlreadyRead, at: location)
        }
        return tensor
    }

    /// Reads `count` variable-length strings, allocating at most `budget` bytes for them.
    private func readVariableLengthStrings(count: Int, memoryType: hid_t, space: hid_t, budget: Int, at location: HDF5Location,
                                           read: (hid_t, hid_t, UnsafeMutableRawPointer?) -> herr_t) throws(ModelFormatError) -> [[UInt8]] {
        guard count > 0 else { return [] }
        let allowance = UnsafeMutablePointer<chdf5_vlen_budget>.allocate(capacity: 1)
        allowance.initialize(to: chdf5_vlen_budget(remaining: max(budget, 0), exceeded: 0))
        defer { allowance.deallocate() }
        guard let transfer = HDF5Object(chdf5_budgeted_transfer(allowance)) else {
            throw readFailure(location, withHDF5Detail("cannot prepare to read its strings"))
        }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        let status = pointers.withUnsafeMutableBytes { read(memoryType, transfer.id, $0.baseAddress) }
        let strings = pointers.map { pointer in
            pointer.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) } ?? []
        }
        _ = pointers.withUnsafeMutableBytes { H5Dvlen_reclaim(memoryType, space, transfer.id, $0.baseAddress) }
        if allowance.pointee.exceeded != 0 {
            throw readFailure(location, "its strings need more than the \(max(budget, 0)) bytes left under the limit of \(limits.maxTensorBytes) bytes of tensor data (raise it with --max-tensor-bytes)")
        }
        guard status >= 0 else { throw readFailure(location, withHDF5Detail("its data cannot be read")) }
        return strings
    }

    /// Creates a dataset or attribute holding `tensor` and writes its elements.
    ///
    /// - Parameters:
    ///   - create: creates the dataset or attribute with the given file type and dataspace; returns its id or a negative value.
    ///   - write: writes all elements of the created object from a buffer of the given memory type.
    func writeTensor(_ tensor: Tensor, at location: HDF5Location,
                     create: (_ type: hid_t, _ space: hid_t) -> hid_t,
                     write: (_ object: hid_t, _ memoryType: hid_t, _ buffer: UnsafeRawPointer?) -> herr_t) throws(ModelFormatError) {
        guard let elementType = HDF5ElementType(writing: tensor.dataType) else {
            throw writeFailure(location, "\(tensor.dataType) has no HDF5 type that h5py reads; convert the tensor to float16, float32, float64, an 8- to 64-bit integer type, bool or string first")
        }
        let strings = tensor.strings ?? []
        if let index = strings.firstIndex(where: { $0.contains(0) }) {
            throw writeFailure(location, "string element \(index) contains a NUL byte, which variable-length HDF5 strings cannot hold")
        }
        var dimensions = tensor.shape.map { hsize_t($0) }
        let newSpace = tensor.rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(tensor.rank), &dimensions, nil)
        guard let space = HDF5Object(newSpace), let type = elementType.makeFileType() else {
            throw writeFailure(location, withHDF5Detail("cannot describe its shape \(tensor.shape) and type \(tensor.dataType)"))
        }
        guard let object = HDF5Object(create(type.id, space.id)) else {
            throw writeFailure(location, withHDF5Detail("cannot be created"))
        }
        guard tensor.elementCount > 0 else { return }

        let status: herr_t
        switch elementType {
        case .fixedWidth(.bool):
            let bytes = tensor.withUnsafeBytes { raw in raw.map { $0 == 0 ? UInt8(0) : 1 } }
            status = bytes.withUnsafeBytes { write(object.id, type.id, $0.baseAddress) }
        case .fixedWidth:
            status = tensor.withUnsafeBytes { write(object.id, type.id, $0.baseAddress) }
        case .fixedLengthString(let size, _):
            var bytes = [UInt8](repeating: 0, count: size * strings.count)
            for (index, string) in strings.enumerated() {
                bytes.replaceSubrange(index * size ..< index * size + min(size, string.count), with: string.prefix(size))
            }
            status = bytes.withUnsafeBytes { write(object.id, type.id, $0.baseAddress) }
        case .variableLengthString:
            let cStrings = strings.map { bytes -> UnsafeMutableRawPointer in
                let cString = UnsafeMutableRawPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
                cString.initializeMemory(as: UInt8.self, repeating: 0, count: bytes.count + 1)
                bytes.withUnsafeBytes { source in
                    if let start = source.baseAddress { cString.copyMemory(from: start, byteCount: source.count) }
                }
                return cString
            }
            defer { cStrings.forEach { $0.deallocate() } }
            status = cStrings.withUnsafeBytes { write(object.id, type.id, $0.baseAddress) }
        }
        guard status >= 0 else { throw writeFailure(location, withHDF5Detail("its data cannot be written")) }
    }

    /// Why reading `location` failed: datasets are reported as tensors, attributes by their owner.
    func readFailure(_ location: HDF5Location, _ reason: String) -> ModelFormatError {
        location.attribute == nil
            ? .invalidTensor(file: displayPath, tensor: location.path, reason: reason)
            : .unreadable(file: displayPath, reason: "\(location): \(reason)")
    }

    func writeFailure(_ location: HDF5Location, _ reason: String) -> ModelFormatError {
        .writeFailed(file: displayPath, reason: "\(location): \(reason)")
    }

    /// Refuses to read `bytes` more (nil: more than fit in an `Int`) when that would pass `limits.maxTensorBytes`.
    func checkSize(_ bytes: Int?, alreadyRead: Int, at location: HDF5Location) throws(ModelFormatError) {
        if let bytes, bytes <= limits.maxTensorBytes - alreadyRead { return }
        let needed = bytes.map { "\($0) bytes" } ?? "more bytes than fit in memory"
        let before = alreadyRead > 0 ? " (after \(alreadyRead) bytes already read)" : ""
        throw readFailure(location, "needs \(needed)\(before), over the limit of \(limits.maxTensorBytes) bytes of tensor data (raise it with --max-tensor-bytes)")
    }

    /// The shape of a dataspace: `[]` for a scalar; the rank is checked before the dimensions are read.
    private func extentShape(_ space: hid_t, at location: HDF5Location) throws(ModelFormatError) -> [Int] {
        switch H5Sget_simple_extent_type(space) {
        case H5S_SCALAR:
            return []
        case H5S_SIMPLE:
            let rank = Int(H5Sget_simple_extent_ndims(space))
            guard rank >= 0 else { throw readFailure(location, withHDF5Detail("its shape cannot be read")) }
            guard rank <= limits.maxRank else {
                throw readFailure(location, "rank \(rank) is over the limit of \(limits.maxRank)")
            }
            var dimensions = [hsize_t](repeating: 0, count: rank)
            guard H5Sget_simple_extent_dims(space, &dimensions, nil) >= 0 else {
                throw readFailure(location, withHDF5Detail("its shape cannot be read"))
            }
            var shape: [Int] = []
            for dimension in dimensions {
                guard let size = Int(exactly: dimension) else {
                    throw readFailure(location, "dimension \(dimension) of shape \(dimensions) is too large")
                }
                shape.append(size)
            }
            return shape
        case H5S_NULL:
            throw readFailure(location, "it has a null dataspace and holds no data (h5py.Empty); store an array with a zero-length dimension instead")
        default:
            throw readFailure(location, withHDF5Detail("its dataspace cannot be read"))
        }
    }

    private func makeTensor(at location: HDF5Location, _ make: () throws(TensorError) -> Tensor) throws(ModelFormatError) -> Tensor {
        do { return try make() } catch { throw readFailure(location, error.description) }
    }

    /// The bytes of one fixed-length string without its padding.
    private static func unpadded(_ bytes: ArraySlice<UInt8>, _ padding: H5T_str_t) -> [UInt8] {
        switch padding {
        case H5T_STR_NULLTERM: Array(bytes.prefix { $0 != 0 })
        case H5T_STR_SPACEPAD: Array(bytes.reversed().drop { $0 == 0x20 }.reversed())
        default: Array(bytes.reversed().drop { $0 == 0 }.reversed())
        }
    }
}
