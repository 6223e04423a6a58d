import Foundation
import ModelFormats
import ModelIR

extension GoldenFile {
    /// The folders `test_data_set_<N>` beside a model (the ONNX Model Zoo layout), in order of N.
    public static func testDataSets(besideModelIn folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix("test_data_set_"), let index = Int(name.dropFirst("test_data_set_".count)) else { return nil }
            return (index, folder.appendingPathComponent(name))
        }
        .sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Golden samples from ONNX Model Zoo test data: every `test_data_set_<N>/input_K.pb` and
    /// `output_K.pb` beside the model, the sets stacked on the first axis. A file names its input or
    /// output when the name is one of the graph's, otherwise it takes the K-th.
    ///
    /// - Throws: `ValueFileError` for an unreadable or mismatched file, `GoldenFileError` when there
    ///   are no sets.
    public init(testDataSets sets: [URL], graph: Graph) throws {
        guard let first = sets.first else {
            throw GoldenFileError.missingGroup(file: "test_data_set_0", group: "inputs")
        }
        var inputs: [String: [Tensor]] = [:], outputs: [String: [Tensor]] = [:]
        for set in sets {
            for (name, value) in try PBValueFiles().readInputs(set, for: graph) {
                guard let tensor = value.tensor else {
                    throw ValueFileError(file: set.path, reason: "input '\(name)' is not a tensor; golden samples are tensors")
                }
                inputs[name, default: []].append(tensor)
            }
            var index = 0
            while case let file = set.appendingPathComponent("output_\(index).pb"), FileManager.default.fileExists(atPath: file.path) {
                let (stored, value) = try ONNXDataFile.load(file, as: nil)
                let name = graph.outputs.contains(where: { $0.name == stored && !stored.isEmpty }) ? stored
                    : index < graph.outputs.count ? graph.outputs[index].name : stored
                guard case .tensor(let tensor) = value else {
                    throw ValueFileError(file: file.path, reason: "output '\(name)' is not a tensor; golden samples are tensors")
                }
                outputs[name, default: []].append(tensor)
                index += 1
            }
        }
        func stacked(_ groups: [String: [Tensor]]) throws -> [String: Tensor] {
            var result: [String: Tensor] = [:]
            for (name, tensors) in groups {
                do { result[name] = tensors.count == 1 ? tensors[0] : try SampleBatches.concatenated(tensors, name: name) } catch {
                    throw ValueFileError(file: first.deletingLastPathComponent().path,
                                         reason: "the test data sets hold '\(name)' in shapes that do not stack on the first axis: \(error)")
                }
            }
            return result
        }
        let folder = first.deletingLastPathComponent()
        guard !outputs.isEmpty else { throw GoldenFileError.missingGroup(file: first.path, group: "output_0.pb") }
        self.init(url: folder, inputs: try stacked(inputs), outputs: try stacked(outputs), labels: nil)
    }

    /// The golden samples of `model`: `golden.h5` beside it, else ONNX Model Zoo test data sets
    /// (read against the model's graph, which `graph` loads only then).
    ///
    /// - Throws: `GoldenFileError.missing` naming the commands that record a golden file when there
    ///   is neither.
    public static func load(besideModel model: URL, graph: () throws -> Graph) throws -> GoldenFile {
        let folder = model.deletingLastPathComponent()
        let h5 = folder.appendingPathComponent("golden.h5")
        if FileManager.default.fileExists(atPath: h5.path) { return try GoldenFile(url: h5) }
        let sets = testDataSets(besideModelIn: folder)
        if !sets.isEmpty { return try GoldenFile(testDataSets: sets, graph: try graph()) }
        throw GoldenFileError.missing(file: h5.path, model: model.path)
    }
}
