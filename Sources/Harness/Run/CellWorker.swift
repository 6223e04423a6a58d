import Executor
import Foundation

/// One cell for a worker process: what `Runner` writes and `CellWorker.run` reads. It carries the
/// manifest the parent parsed, so a worker does not read `corpus.yml` again.
public struct CellJob: Sendable, Codable {
    public var manifest: Manifest
    public var model: String
    public var path: String
    /// `<out>/models`.
    public var modelsFolder: String
    public var settings: RunSettings
    public var measureFP32Latency: Bool
    /// The parent's cache lookup, which found no cached result.
    public var lookup: CellCacheLookup?

    public init(manifest: Manifest, model: String, path: String, modelsFolder: String, settings: RunSettings, measureFP32Latency: Bool,
                lookup: CellCacheLookup? = nil) {
        self.manifest = manifest
        self.model = model
        self.path = path
        self.modelsFolder = modelsFolder
        self.settings = settings
        self.measureFP32Latency = measureFP32Latency
        self.lookup = lookup
    }
}

/// The worker side of `Runner`: runs one `CellJob` and reports on standard output, one line at a
/// time and flushed, `stage <name>` as each stage starts and finally `result <CellResult JSON>`.
public enum CellWorker {
    static let stagePrefix = "stage "
    static let resultPrefix = "result "

    /// Runs the job in `jobFile`, writing lines with `write` (standard output by default).
    public static func run(jobFile: URL, write: (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) throws {
        let job = try decoder.decode(CellJob.self, from: Data(contentsOf: jobFile))
        ExecutorThreads.set(job.settings.threadsPerCell(cores: ProcessInfo.processInfo.activeProcessorCount))
        let key = CellKey(model: job.model, path: job.path)
        let runner = CellRunner(manifest: job.manifest, modelsFolder: URL(fileURLWithPath: job.modelsFolder), settings: job.settings)
        let result = runner.run(key, lookup: job.lookup, measureFP32Latency: job.measureFP32Latency) { write(stagePrefix + $0.rawValue) }
        let data = try encoder.encode(result)
        write(resultPrefix + String(decoding: data, as: UTF8.self))
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// The last stage started and the result, from a worker's output so far.
    static func parse(_ text: String) -> (stage: CellStage?, result: CellResult?) {
        var stage: CellStage?
        var result: CellResult?
        for line in text.split(separator: "\n") {
            if line.hasPrefix(stagePrefix) {
                stage = CellStage(rawValue: String(line.dropFirst(stagePrefix.count))) ?? stage
            } else if line.hasPrefix(resultPrefix) {
                result = try? decoder.decode(CellResult.self, from: Data(line.dropFirst(resultPrefix.count).utf8))
            }
        }
        return (stage, result)
    }
}
