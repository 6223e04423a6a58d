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

/// Writes external tensor data next to a model being saved: each location becomes one file,
/// tensors appended at 4096-byte aligned offsets, as the ONNX spec recommends for memory mapping.
final class ExternalDataWriter {
    let directory: URL
    let file: String
    private var handles: [String: FileHandle] = [:]
    private var sizes: [String: Int] = [:]
    static let alignment = 4096

    init(directory: URL, file: String) {
        self.directory = directory
        self.file = file
    }

    deinit { for handle in handles.values { try? handle.close() } }

    func write(_ bytes: UnsafeRawBufferPointer, location: String, tensor: String) throws(ModelFormatError) -> (offset: Int, length: Int) {
        let parts = location.split(separator: "/", omittingEmptySubsequences: false)
        guard !location.hasPrefix("/"), !parts.contains("..") else {
            throw .writeFailed(file: file, reason: "external data location '\(location)' of tensor '\(tensor)' is not inside the model's folder")
        }
        do {
            let handle: FileHandle
            if let open = handles[location] {
                handle = open
            } else {
                let url = directory.appendingPathComponent(location)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                    throw ModelFormatError.writeFailed(file: url.path, reason: "cannot create the external data file")
                }
                handle = try FileHandle(forWritingTo: url)
                handles[location] = handle
                sizes[location] = 0
            }
            let size = sizes[location] ?? 0
            let offset = (size + Self.alignment - 1) / Self.alignment * Self.alignment
            if offset > size { try handle.write(contentsOf: Data(count: offset - size)) }
            try handle.write(contentsOf: Data(bytes))
            sizes[location] = offset + bytes.count
            return (offset, bytes.count)
        } catch let error as ModelFormatError {
            throw error
        } catch {
            throw .writeFailed(file: file, reason: "external data '\(location)' of tensor '\(tensor)': \(error)")
        }
    }
}
