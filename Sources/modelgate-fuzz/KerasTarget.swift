import Foundation
import GraphChecker
import ModelFormats

/// Keras `.h5` and `.keras` files through the Keras importer and the checker, as `modelgate
/// convert` reads them.
///
/// HDF5 is read behind the isolated check `modelgate` uses (`HDF5Probe`), so a fault inside
/// libhdf5 (the `hdf5` target's ground) counts as a refusal here and the importer's own code is
/// what this target exercises.
struct KerasTarget: FuzzTarget {
    let name = "keras"
    let scratchFolder: URL
    /// Where inputs that crash or hang libhdf5 in the isolated check are kept (they are contained
    /// failures, not crashes of this process, so the run goes on).
    let findingsFolder: URL

    func seeds(root: URL) -> [URL] {
        let fixtures = root.appendingPathComponent("Tests/Fixtures")
        var files: [URL] = []
        for folder in ["keras", "keras-corpus", "keras_layout", "keras_tf2"] {
            let enumerator = FileManager.default.enumerator(at: fixtures.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                if url.lastPathComponent == "model.h5" || url.pathExtension == "keras" { files.append(url) }
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    func run(_ bytes: [UInt8]) throws {
        HDF5Probe.isEnabled = true
        HDF5Probe.baseTimeoutSeconds = 5
        HDF5Probe.forgetProbedFiles()
        let isZip = bytes.starts(with: [0x50, 0x4B])
        let url = scratchFolder.appendingPathComponent(isZip ? "model.keras" : "model.h5")
        try Data(bytes).write(to: url)
        do {
            let model = try KerasModelFile.load(url, options: KerasImportOptions(limits: ModelLimits(maxTensorBytes: 64 << 20)))
            _ = GraphChecker().check(model)
        } catch {
            let text = "\(error)"
            if text.contains("libhdf5 crashed") || text.contains("did not finish within") {
                let kind = text.contains("libhdf5 crashed") ? "crash" : "hang"
                let kept = findingsFolder.appendingPathComponent("keras-libhdf5-\(kind)-\(bytes.count)-\(bytes.hashValue & 0xFFFF)\(isZip ? ".keras" : ".h5")")
                try? FileManager.default.createDirectory(at: findingsFolder, withIntermediateDirectories: true)
                try? Data(bytes).write(to: kept)
            }
            throw error
        }
    }
}
