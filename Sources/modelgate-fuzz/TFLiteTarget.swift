import Foundation
import GraphChecker
import ModelFormats

/// TensorFlow Lite import and checking: read the bytes as a `.tflite` model, convert it to the IR
/// and check the result, as `modelgate convert` and `check` do.
struct TFLiteTarget: FuzzTarget {
    let name = "tflite"

    func seeds(root: URL) -> [URL] {
        let folder = root.appendingPathComponent("Tests/Fixtures/tflite")
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "tflite" }.sorted { $0.path < $1.path }
    }

    func run(_ bytes: [UInt8]) throws {
        let model = try TFLiteModelFile.load(bytes: bytes, file: "fuzz.tflite", limits: ModelLimits(maxTensorBytes: 64 << 20))
        _ = GraphChecker().check(model)
    }
}
