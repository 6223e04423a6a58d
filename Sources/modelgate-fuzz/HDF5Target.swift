import Foundation
import ModelFormats

/// HDF5 golden and Keras files: open the bytes as a file and read every dataset and attribute, as
/// the isolated check (`HDF5Probe.walk`) does.
struct HDF5Target: FuzzTarget {
    let name = "hdf5"
    let scratch: URL

    func seeds(root: URL) -> [URL] {
        let fixtures = root.appendingPathComponent("Tests/Fixtures")
        let enumerator = FileManager.default.enumerator(at: fixtures, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if ["h5", "hdf5"].contains(url.pathExtension) { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }.prefix(24).map { $0 }
    }

    func run(_ bytes: [UInt8]) throws {
        try Data(bytes).write(to: scratch)
        try HDF5Probe.walk(scratch, limits: ModelLimits(maxTensorBytes: 64 << 20))
    }
}
