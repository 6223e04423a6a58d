/// A FlatBuffers byte buffer read without trusting it: every offset, vtable and vector is checked
/// against the buffer's bounds before it is followed, and a bad one is a `ModelFormatError`
/// naming the file and what is out of place.
struct FlatBuffer: Sendable {
    let bytes: [UInt8]
    /// The file named in errors.
    let file: String

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    var count: Int { bytes.count }

    func malformed(_ reason: String) -> ModelFormatError {
        .malformed(file: file, reason: reason)
    }

    /// Checks that `size` bytes at `position` lie inside the buffer.
    func check(_ position: Int, size: Int, _ what: @autoclosure () -> String) throws(ModelFormatError) {
        guard position >= 0, size >= 0, position <= bytes.count, size <= bytes.count - position else {
            throw malformed("\(what()) at byte \(position) (\(size) bytes) lies outside the \(bytes.count)-byte file; the file is truncated or corrupt")
        }
    }

    func readUInt8(_ position: Int, _ what: @autoclosure () -> String) throws(ModelFormatError) -> UInt8 {
        try check(position, size: 1, what())
        return bytes[position]
    }

    func readUInt16(_ position: Int, _ what: @autoclosure () -> String) throws(ModelFormatError) -> UInt16 {
        try check(position, size: 2, what())
        return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    func readUInt32(_ position: Int, _ what: @autoclosure () -> String) throws(ModelFormatError) -> UInt32 {
        try check(position, size: 4, what())
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[position + index]) << (8 * index) }
        return value
    }

    func readUInt64(_ position: Int, _ what: @autoclosure () -> String) throws(ModelFormatError) -> UInt64 {
        try check(position, size: 8, what())
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[position + index]) << (8 * index) }
        return value
    }

    /// The position an unsigned 32-bit offset stored at `position` points to.
    func followOffset(_ position: Int, _ what: @autoclosure () -> String) throws(ModelFormatError) -> Int {
        let offset = Int(try readUInt32(position, what()))
        let target = position + offset
        try check(target, size: 4, what())
        return target
    }

    /// The root table: the offset in the first four bytes.
    func rootTable() throws(ModelFormatError) -> FlatTable {
        guard bytes.count >= 8 else {
            throw malformed("only \(bytes.count) bytes; a TensorFlow Lite file starts with a root offset and the identifier TFL3")
        }
        return try FlatTable(buffer: self, position: followOffset(0, "the root table"), name: "Model")
    }

    /// The 4-byte file identifier after the root offset.
    var identifier: String {
        guard bytes.count >= 8 else { return "" }
        return String(decoding: bytes[4..<8], as: UTF8.self)
    }
}

/// A FlatBuffers table: the position of its data and the vtable that says where each field is.
struct FlatTable: Sendable {
    let buffer: FlatBuffer
    let position: Int
    /// The table's schema name, for messages.
    let name: String
    private let vtable: Int
    private let vtableSize: Int

    init(buffer: FlatBuffer, position: Int, name: String) throws(ModelFormatError) {
        self.buffer = buffer
        self.position = position
        self.name = name
        let soffset = Int(Int32(bitPattern: try buffer.readUInt32(position, "the vtable offset of a \(name) table")))
        let vtable = position - soffset
        let size = Int(try buffer.readUInt16(vtable, "the vtable of a \(name) table"))
        guard size >= 4, size % 2 == 0 else {
            throw buffer.malformed("the vtable of a \(name) table at byte \(vtable) has size \(size); the file is corrupt")
        }
        try buffer.check(vtable, size: size, "the vtable of a \(name) table")
        self.vtable = vtable
        vtableSize = size
    }

    /// The absolute position of field `slot`, or nil when the field is absent.
    func fieldPosition(_ slot: Int, size: Int, _ field: String) throws(ModelFormatError) -> Int? {
        let entry = 4 + 2 * slot
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try buffer.readUInt16(vtable + entry, "\(name).\(field)"))
        guard offset != 0 else { return nil }
        let absolute = position + offset
        try buffer.check(absolute, size: size, "\(name).\(field)")
        return absolute
    }

    func bool(_ slot: Int, _ field: String, default value: Bool = false) throws(ModelFormatError) -> Bool {
        guard let at = try fieldPosition(slot, size: 1, field) else { return value }
        return try buffer.readUInt8(at, "\(name).\(field)") != 0
    }

    func int8(_ slot: Int, _ field: String, default value: Int8 = 0) throws(ModelFormatError) -> Int8 {
        guard let at = try fieldPosition(slot, size: 1, field) else { return value }
        return Int8(bitPattern: try buffer.readUInt8(at, "\(name).\(field)"))
    }

    func uint8(_ slot: Int, _ field: String, default value: UInt8 = 0) throws(ModelFormatError) -> UInt8 {
        guard let at = try fieldPosition(slot, size: 1, field) else { return value }
        return try buffer.readUInt8(at, "\(name).\(field)")
    }

    func int32(_ slot: Int, _ field: String, default value: Int32 = 0) throws(ModelFormatError) -> Int32 {
        guard let at = try fieldPosition(slot, size: 4, field) else { return value }
        return Int32(bitPattern: try buffer.readUInt32(at, "\(name).\(field)"))
    }

    func uint32(_ slot: Int, _ field: String, default value: UInt32 = 0) throws(ModelFormatError) -> UInt32 {
        guard let at = try fieldPosition(slot, size: 4, field) else { return value }
        return try buffer.readUInt32(at, "\(name).\(field)")
    }

    func uint64(_ slot: Int, _ field: String, default value: UInt64 = 0) throws(ModelFormatError) -> UInt64 {
        guard let at = try fieldPosition(slot, size: 8, field) else { return value }
        return try buffer.readUInt64(at, "\(name).\(field)")
    }

    func float(_ slot: Int, _ field: String, default value: Float = 0) throws(ModelFormatError) -> Float {
        guard let at = try fieldPosition(slot, size: 4, field) else { return value }
        return Float(bitPattern: try buffer.readUInt32(at, "\(name).\(field)"))
    }

    /// The sub-table in field `slot`, or nil when absent.
    func table(_ slot: Int, _ field: String, type: String) throws(ModelFormatError) -> FlatTable? {
        guard let at = try fieldPosition(slot, size: 4, field) else { return nil }
        return try FlatTable(buffer: buffer, position: buffer.followOffset(at, "\(name).\(field)"), name: type)
    }

    /// The string in field `slot`, or nil when absent.
    func string(_ slot: Int, _ field: String) throws(ModelFormatError) -> String? {
        guard let vector = try vector(slot, field, elementSize: 1) else { return nil }
        return String(decoding: buffer.bytes[vector.start..<vector.start + vector.count], as: UTF8.self)
    }

    /// The vector in field `slot`: where its elements start and how many there are, checked to fit.
    func vector(_ slot: Int, _ field: String, elementSize: Int) throws(ModelFormatError) -> FlatVector? {
        guard let at = try fieldPosition(slot, size: 4, field) else { return nil }
        let start = try buffer.followOffset(at, "\(name).\(field)")
        let count = Int(try buffer.readUInt32(start, "the length of \(name).\(field)"))
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow else { throw buffer.malformed("\(name).\(field) claims \(count) elements; the file is corrupt") }
        try buffer.check(start + 4, size: bytes, "the \(count) elements of \(name).\(field)")
        return FlatVector(start: start + 4, count: count, elementSize: elementSize)
    }

    func int32s(_ slot: Int, _ field: String) throws(ModelFormatError) -> [Int32]? {
        guard let vector = try vector(slot, field, elementSize: 4) else { return nil }
        var values: [Int32] = []
        values.reserveCapacity(vector.count)
        for index in 0..<vector.count {
            values.append(Int32(bitPattern: try buffer.readUInt32(vector.position(index), "\(name).\(field)")))
        }
        return values
    }

    func int64s(_ slot: Int, _ field: String) throws(ModelFormatError) -> [Int64]? {
        guard let vector = try vector(slot, field, elementSize: 8) else { return nil }
        var values: [Int64] = []
        values.reserveCapacity(vector.count)
        for index in 0..<vector.count {
            values.append(Int64(bitPattern: try buffer.readUInt64(vector.position(index), "\(name).\(field)")))
        }
        return values
    }

    func floats(_ slot: Int, _ field: String) throws(ModelFormatError) -> [Float]? {
        guard let vector = try vector(slot, field, elementSize: 4) else { return nil }
        var values: [Float] = []
        values.reserveCapacity(vector.count)
        for index in 0..<vector.count {
            values.append(Float(bitPattern: try buffer.readUInt32(vector.position(index), "\(name).\(field)")))
        }
        return values
    }

    /// The tables of a vector of tables in field `slot` (empty when absent).
    func tables(_ slot: Int, _ field: String, type: String) throws(ModelFormatError) -> [FlatTable] {
        guard let vector = try vector(slot, field, elementSize: 4) else { return [] }
        var tables: [FlatTable] = []
        tables.reserveCapacity(vector.count)
        for index in 0..<vector.count {
            let at = vector.position(index)
            tables.append(try FlatTable(buffer: buffer, position: buffer.followOffset(at, "\(name).\(field)[\(index)]"), name: type))
        }
        return tables
    }
}

/// A vector's elements inside a `FlatBuffer`, already checked to fit.
struct FlatVector: Sendable {
    let start: Int
    let count: Int
    let elementSize: Int

    func position(_ index: Int) -> Int { start + index * elementSize }
    var byteRange: Range<Int> { start..<start + count * elementSize }
}
