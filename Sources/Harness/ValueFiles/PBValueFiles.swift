import Executor
import Foundation
import ModelFormats
import ModelIR

/// ONNX test-data style values: a folder of `input_K.pb` (fed to the K-th graph input that has no
/// initializer, or to the input named in the file) and `output_K.pb`, or a single `.pb` file for a
/// model with one input. Sequences and optionals use onnx-data.proto messages.
public struct PBValueFiles: ValueFileFormat {
    public init() {}

    public var name: String { "pb" }

    public func handles(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue { return true }
        if !exists && url.pathExtension.isEmpty { return true }
        return url.pathExtension.lowercased() == "pb"
    }

    public func readInputs(_ url: URL, for graph: Graph) throws -> [String: RuntimeValue] {
        let feeds = graph.feedInputs
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ValueFileError(file: url.path, reason: "no such file or folder")
        }
        var files: [URL] = []
        if isDirectory.boolValue {
            var index = 0
            while FileManager.default.fileExists(atPath: url.appendingPathComponent("input_\(index).pb").path) {
                files.append(url.appendingPathComponent("input_\(index).pb"))
                index += 1
            }
            guard !files.isEmpty else { throw ValueFileError(file: url.path, reason: "holds no input_0.pb") }
        } else {
            files = [url]
        }
        var values: [String: RuntimeValue] = [:]
        for (position, file) in files.enumerated() {
            // A file names its input when the name is one of the graph's; otherwise it feeds by position.
            let probe = try? ONNXDataFile.load(file, as: nil)
            let info = feeds.first(where: { $0.name == probe?.name && !(probe?.name.isEmpty ?? true) })
                ?? (position < feeds.count ? feeds[position] : nil)
            guard let info else {
                throw ValueFileError(file: file.path, reason: "the graph has only \(feeds.count) inputs to feed")
            }
            let (_, value) = try ONNXDataFile.load(file, as: info.type?.type)
            do { values[info.name] = try ValueConversion.runtimeValue(value) } catch {
                throw ValueFileError(file: file.path, reason: "\(error)")
            }
        }
        return values
    }

    public func filesReplaced(writingOutputs count: Int, to url: URL) -> [URL] {
        (0..<count).map { url.appendingPathComponent("output_\($0).pb") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    public func writeOutputs(_ outputs: [NamedValue], to url: URL, graph: Graph, overwrite: Bool) throws {
        if !overwrite, let existing = filesReplaced(writingOutputs: outputs.count, to: url).first {
            throw ValueFileError(file: existing.path, reason: "already exists; pass --force to overwrite it")
        }
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw ValueFileError(file: url.path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        for (index, output) in outputs.enumerated() {
            try ONNXDataFile.save(ValueConversion.dataValue(output.value), name: output.name,
                                  to: url.appendingPathComponent("output_\(index).pb"))
        }
    }
}
