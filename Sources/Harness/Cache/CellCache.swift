import Crypto
import Foundation
import GraphChecker
import ModelFormats
import Passes

/// A content-addressed store of cells, shared by runs and by shards writing to one folder.
///
/// Two entries per cell, each named by the SHA-256 of everything that decides it (`CellCacheKeys`):
/// - `conversions/<key>.onnx` and `.json`: the path's model, its pass findings and int8 sensitivity.
///   Its key covers the source model, calibration data, path, pass options, ModelGate's version and
///   kernel choice, so a change of thresholds reuses it (the cell is judged again without converting).
/// - `results/<key>.json`: the whole `CellResult`. Its key adds the golden data, the thresholds that
///   judge the cell and the run settings that shape its metrics.
///
/// Entries are written to a temporary file and renamed into place, so a reader sees a whole entry
/// or none. An entry that does not decode, names another key, or whose model's digest differs is
/// ignored with a warning (and replaced), never trusted.
public struct CellCache: Sendable {
    public static let formatVersion = 1
    public let folder: URL
    let warn: @Sendable (String) -> Void

    public init(folder: URL, warn: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("warning: " + $0 + "\n").utf8)) }) {
        self.folder = folder.appendingPathComponent("v\(Self.formatVersion)")
        self.warn = warn
    }

    /// What a cached conversion holds besides its model file.
    struct ConversionEntry: Codable {
        var key: String
        var modelDigest: String
        var findings: [Finding]
        var sensitivity: QuantizationSensitivity?
    }

    struct ResultEntry: Codable {
        var key: String
        var result: CellResult
    }

    private var conversions: URL { folder.appendingPathComponent("conversions") }
    private var results: URL { folder.appendingPathComponent("results") }

    /// The entry stored as `file` for `key`, or nil when there is none, it does not decode, or it
    /// names another key (both warned about: the cell then runs that step again).
    private func entry<Entry: Decodable>(_ type: Entry.Type, at file: URL, key: String, entryKey: (Entry) -> String) -> Entry? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        do {
            let entry = try CellWorker.decoder.decode(Entry.self, from: Data(contentsOf: file))
            guard entryKey(entry) == key else {
                warn("\(file.path) names another cell (\(entryKey(entry))); ignored")
                return nil
            }
            return entry
        } catch {
            warn("\(file.path) is not a readable cache entry (\(error)); ignored, the cell runs again")
            return nil
        }
    }

    /// The cached result for `key`, or nil.
    func result(for key: String) -> CellResult? {
        entry(ResultEntry.self, at: results.appendingPathComponent(key + ".json"), key: key, entryKey: \.key)?.result
    }

    /// The cached conversion for `key`: its model's bytes (checked against their digest) and what the passes reported.
    func conversion(for key: String) -> (model: Data, findings: [Finding], sensitivity: QuantizationSensitivity?)? {
        let model = conversions.appendingPathComponent(key + ".onnx")
        guard let entry = entry(ConversionEntry.self, at: conversions.appendingPathComponent(key + ".json"), key: key, entryKey: \.key) else {
            return nil
        }
        guard let bytes = try? Data(contentsOf: model), Self.hex(SHA256.hash(data: bytes)) == entry.modelDigest else {
            warn("\(model.path) is missing or does not match its recorded digest; ignored, the path runs again")
            return nil
        }
        return (bytes, entry.findings, entry.sensitivity)
    }

    /// The cached result of the cell with `keys` (marked `.result`), its model copied to `modelFile`; nil when either
    /// entry is missing or unusable.
    public func reusedResult(_ keys: CellCacheKeys, modelFile: URL) -> CellResult? {
        guard var result = result(for: keys.result), let conversion = conversion(for: keys.conversion),
              write(conversion.model, to: modelFile) else { return nil }
        result.cache = .result
        return result
    }

    /// The cached conversion of the cell with `keys`, its model copied to `modelFile`: the model's
    /// bytes (so the caller need not read the copy back) and what the passes reported.
    public func reusedConversion(_ keys: CellCacheKeys, modelFile: URL) -> (model: Data, findings: [Finding], sensitivity: QuantizationSensitivity?)? {
        guard let entry = conversion(for: keys.conversion), write(entry.model, to: modelFile) else { return nil }
        return entry
    }

    /// Stores a conversion, warning instead of failing the cell when the cache cannot be written.
    public func storeQuietly(conversion key: String, model: URL, findings: [Finding], sensitivity: QuantizationSensitivity?) {
        do { try store(conversion: key, model: model, findings: findings, sensitivity: sensitivity) } catch {
            warn("\(folder.path): cannot store a conversion in the cache: \(error)")
        }
    }

    /// Stores a result (without its cache mark), warning instead of failing the cell when the cache cannot be written.
    public func storeQuietly(result: CellResult, key: String) {
        var result = result
        result.cache = nil
        do { try store(result: result, key: key) } catch {
            warn("\(folder.path): cannot store a result in the cache: \(error)")
        }
    }

    private func write(_ model: Data, to target: URL) -> Bool {
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(model, to: target)
            return true
        } catch {
            warn("cannot copy the cached model of \(target.path): \(error); the path runs again")
            return false
        }
    }

    /// Stores the path's model file and findings under `key`.
    public func store(conversion key: String, model: URL, findings: [Finding], sensitivity: QuantizationSensitivity?) throws {
        try FileManager.default.createDirectory(at: conversions, withIntermediateDirectories: true)
        let target = conversions.appendingPathComponent(key + ".onnx")
        let bytes = try Data(contentsOf: model)
        try AtomicFile.write(bytes, to: target)
        let entry = ConversionEntry(key: key, modelDigest: Self.hex(SHA256.hash(data: bytes)), findings: findings, sensitivity: sensitivity)
        try AtomicFile.write(try CellWorker.encoder.encode(entry), to: conversions.appendingPathComponent(key + ".json"))
    }

    /// Stores a finished cell's result under `key`.
    public func store(result: CellResult, key: String) throws {
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        try AtomicFile.write(try CellWorker.encoder.encode(ResultEntry(key: key, result: result)), to: results.appendingPathComponent(key + ".json"))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
