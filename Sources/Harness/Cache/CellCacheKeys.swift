import Crypto
import Executor
import Foundation
import Passes

/// The two keys of a cell in `CellCache`: hex SHA-256 digests of everything that decides the
/// path's model (`conversion`) and, on top of it, the cell's result (`result`).
///
/// - conversion: the cache format, ModelGate's version, the kernel choice (`KernelChoice`), the
///   path and its steps, the pass options, the bytes of the source model (and of every other file
///   in an ONNX model's folder that it names as external data, by listing the folder's regular files
///   other than golden and calibration data), and the calibration file when the path calibrates.
/// - result: the conversion key, the golden data (`golden.h5` or `test_data_set_*` beside the
///   model whose golden outputs judge this one), the thresholds that apply (the path's, the model's
///   overrides, its teacher) and the run settings that shape metrics (batch size, latency runs).
public struct CellCacheKeys: Sendable, Hashable, Codable {
    public var conversion: String
    public var result: String

    /// The keys of `model` on `path`, or nil for a cell the cache does not hold (a path with an
    /// external step, whose command may read anything).
    public static func make(manifest: Manifest, model: ModelEntry, path: String, settings: RunSettings) throws -> CellCacheKeys? {
        guard let spec = manifest.pathSpec(path) else { return nil }
        var components: [OptimizationPath.Component] = []
        for step in spec.steps {
            guard case .builtin(let component) = step else { return nil }
            components.append(component)
        }
        var hasher = SHA256()
        func text(_ value: String) {
            hasher.update(data: Data((value + "\u{0}").utf8))
        }
        text("modelgate cell cache v\(CellCache.formatVersion)")
        text(ToolVersion.current)
        text(KernelChoice.summary)
        text(spec.name)
        text(components.map(\.description).joined(separator: "+"))
        let options = manifest.passOptions(model: model, path: path).values
        text(options.keys.sorted().map { "\($0)=\(options[$0]!)" }.joined(separator: "\n"))
        text("source")
        try update(&hasher, file: model.sourceURL)
        if model.sourceURL.pathExtension.lowercased() == "onnx" {
            for file in try sideFiles(of: model.sourceURL) {
                text(file.lastPathComponent)
                try update(&hasher, file: file)
            }
        }
        if OptimizationPath(components: components).needsCalibration, let calibration = ModelOptimizer.defaultCalibrationFile(for: model.sourceURL) {
            text("calibration")
            try update(&hasher, file: calibration)
        }
        let conversion = CellCache.hex(hasher.finalize())

        var judged = SHA256()
        judged.update(data: Data(conversion.utf8))
        let goldenModel = manifest.goldenModel(for: model)
        for file in try goldenFiles(besideModel: goldenModel.sourceURL) {
            judged.update(data: Data((file.lastPathComponent + "\u{0}").utf8))
            try update(&judged, file: file)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        struct Judging: Encodable {
            var thresholds: Thresholds
            var detectionAgreement: Double
            var overrides: ModelOverrides
            var teacher: String?
            var batchSize: Int
            var latencyRuns: Int
            var warmupRuns: Int
            var diagnosisSamples: Int
        }
        judged.update(data: try encoder.encode(Judging(
            thresholds: manifest.pathThresholds(path), detectionAgreement: manifest.detectionAgreement(path), overrides: model.overrides,
            teacher: model.teacher, batchSize: settings.batchSize, latencyRuns: settings.latencyRuns, warmupRuns: settings.warmupRuns,
            diagnosisSamples: settings.diagnosisSamples)))
        return CellCacheKeys(conversion: conversion, result: CellCache.hex(judged.finalize()))
    }

    /// Feeds a file's bytes to `hasher`, 4 MiB at a time.
    static func update(_ hasher: inout SHA256, file url: URL) throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
    }

    /// The regular files beside an ONNX model other than itself and its golden and calibration data:
    /// where its external tensor data lives.
    static func sideFiles(of model: URL) throws -> [URL] {
        let folder = model.deletingLastPathComponent()
        let skipped: Set<String> = [model.lastPathComponent, "golden.h5", "calibration.h5"]
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
            .filter { !skipped.contains($0.lastPathComponent) && !$0.lastPathComponent.hasPrefix(".")
                && (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// `golden.h5` beside the model, else every file of its `test_data_set_*` folders, in order.
    static func goldenFiles(besideModel model: URL) throws -> [URL] {
        let folder = model.deletingLastPathComponent()
        let golden = folder.appendingPathComponent("golden.h5")
        if FileManager.default.fileExists(atPath: golden.path) { return [golden] }
        let sets = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("test_data_set_") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try sets.flatMap { set in
            try FileManager.default.contentsOfDirectory(at: set, includingPropertiesForKeys: nil).sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
    }

}

/// What a cache lookup of a cell found when it found no result: its keys (nil for a cell the
/// cache does not hold). A worker given it converts or reuses the conversion without hashing the
/// source again.
public struct CellCacheLookup: Sendable, Hashable, Codable {
    public var keys: CellCacheKeys?

    public init(keys: CellCacheKeys?) { self.keys = keys }
}
