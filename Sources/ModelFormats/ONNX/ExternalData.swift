import Foundation
import ModelIR

extension ExternalDataReference {
    /// Parses ONNX `external_data` entries; `location` is required, `offset` and `length` are decimal.
    init(entries: [MetadataEntry], file: String, tensor: String) throws(ModelFormatError) {
        guard let location = entries[key: "location"], !location.isEmpty else {
            throw .externalData(file: file, tensor: tensor, reason: "no 'location' entry")
        }
        func number(_ key: String) throws(ModelFormatError) -> Int? {
            guard let text = entries[key: key] else { return nil }
            guard let value = Int(text), value >= 0 else {
                throw .externalData(file: file, tensor: tensor, reason: "'\(key)' is '\(text)', not a non-negative integer")
            }
            return value
        }
        let known: Set = ["location", "offset", "length", "checksum"]
        self.init(location: location, offset: try number("offset"), length: try number("length"),
                  checksum: entries[key: "checksum"], otherEntries: entries.filter { !known.contains($0.key) })
    }

    /// The `external_data` entries, in ONNX's usual order.
    var entries: [MetadataEntry] {
        var result = [MetadataEntry("location", location)]
        if let offset { result.append(MetadataEntry("offset", String(offset))) }
        if let length { result.append(MetadataEntry("length", String(length))) }
        if let checksum { result.append(MetadataEntry("checksum", checksum)) }
        return result + otherEntries
    }
}

/// Reads external tensor data from files inside one model folder, refusing paths that leave it.
struct ExternalDataReader {
    let directory: URL
    let file: String

    /// The bytes `reference` points at, which must be exactly `expectedBytes` long.
    func read(_ reference: ExternalDataReference, expectedBytes: Int, tensor: String) throws(ModelFormatError) -> TensorBuffer {
        let url = try resolve(reference.location, tensor: tensor)
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw .externalData(file: file, tensor: tensor, reason: "cannot open '\(reference.location)' in \(directory.path)")
        }
        defer { try? handle.close() }
        let fileSize = (try? handle.seekToEnd()).map { Int($0) } ?? 0
        let offset = reference.offset ?? 0
        let length = reference.length ?? max(fileSize - offset, 0)
        guard length == expectedBytes else {
            throw .externalData(file: file, tensor: tensor, reason: "holds \(length) bytes but the tensor needs \(expectedBytes)")
        }
        guard offset <= fileSize, length <= fileSize - offset else {
            throw .externalData(file: file, tensor: tensor,
                                reason: "bytes \(offset)..<\(offset + length) lie beyond the end of '\(reference.location)' (\(fileSize) bytes)")
        }
        do {
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: length) ?? Data()
            guard data.count == length else {
                throw ModelFormatError.externalData(file: file, tensor: tensor, reason: "short read from '\(reference.location)'")
            }
            return data.withUnsafeBytes { TensorBuffer(copying: $0) }
        } catch let error as ModelFormatError {
            throw error
        } catch {
            throw .externalData(file: file, tensor: tensor, reason: "reading '\(reference.location)': \(error)")
        }
    }

    private func resolve(_ location: String, tensor: String) throws(ModelFormatError) -> URL {
        let parts = location.split(separator: "/", omittingEmptySubsequences: false)
        guard !location.hasPrefix("/"), !location.contains("\\"), !parts.contains("..") else {
            throw .externalData(file: file, tensor: tensor,
                                reason: "location '\(location)' leaves the model's folder; external data must be a relative path inside it")
        }
        let base = directory.resolvingSymlinksInPath().standardizedFileURL
        let url = base.appendingPathComponent(location).resolvingSymlinksInPath().standardizedFileURL
        guard url.path.hasPrefix(base.path + "/") else {
            throw .externalData(file: file, tensor: tensor,
                                reason: "location '\(location)' resolves outside the model's folder (through a symbolic link)")
        }
        return url
    }
}

/// Writes the external tensor data of a model being saved into one file of its own beside it,
/// `<model file name>.data`, tensors at 4096-byte aligned offsets as the ONNX spec recommends for
/// memory mapping. The file is written under a temporary name and put in place by `finish()`, so
/// two models saved in one folder never share a data file, a save never writes into the data file
/// of the model it was read from, and a failed save leaves the previous file whole.
final class ExternalDataWriter {
    /// The data file's name, relative to the model's folder: what every written tensor's
    /// `location` says.
    let location: String
    let file: String
    private let target: URL
    private let temporary: URL
    private var handle: FileHandle?
    private var size = 0
    static let alignment = 4096

    /// A writer for the model saved at `model`.
    init(model: URL) {
        location = model.lastPathComponent + ".data"
        file = model.path
        target = model.deletingLastPathComponent().appendingPathComponent(location)
        temporary = AtomicFile.temporaryURL(for: target)
    }

    deinit {
        guard let handle else { return }
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
    }

    /// Appends `bytes` of `tensor` to the data file; the offset and length its reference records.
    func write(_ bytes: UnsafeRawBufferPointer, tensor: String) throws(ModelFormatError) -> (offset: Int, length: Int) {
        do {
            let handle = try self.handle ?? openTemporary()
            let offset = (size + Self.alignment - 1) / Self.alignment * Self.alignment
            if offset > size { try handle.write(contentsOf: Data(count: offset - size)) }
            try handle.write(contentsOf: Data(bytes))
            size = offset + bytes.count
            return (offset, bytes.count)
        } catch let error as ModelFormatError {
            throw error
        } catch {
            throw .writeFailed(file: file, reason: "external data '\(location)' of tensor '\(tensor)': \(describe(error))")
        }
    }

    private func openTemporary() throws -> FileHandle {
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw ModelFormatError.writeFailed(file: target.path, reason: "cannot create the external data file")
        }
        let opened = try FileHandle(forWritingTo: temporary)
        handle = opened
        return opened
    }

    /// Puts the data file in place (replacing an older one), when any tensor was written.
    func finish() throws(ModelFormatError) {
        guard let open = handle else { return }
        handle = nil
        try? open.close()
        do { try AtomicFile.replace(target, with: temporary) } catch {
            throw .writeFailed(file: error.file, reason: error.reason)
        }
    }
}
