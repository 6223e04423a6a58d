import Foundation
import ModelFormats

/// HDF5 golden and Keras files: open the bytes as a file and read every dataset and attribute.
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
        let file = try HDF5File(reading: scratch, limits: ModelLimits(maxTensorBytes: 64 << 20))
        defer { try? file.close() }
        try visit("/", in: file)
    }

    private func visit(_ path: String, in file: HDF5File) throws {
        for attribute in try file.attributeNames(of: path) {
            _ = try? file.readAttribute(attribute, of: path)
            _ = try? file.readStringArrayAttribute(attribute, of: path)
        }
        for member in try file.members(of: path) {
            let child = path == "/" ? "/\(member.name)" : "\(path)/\(member.name)"
            switch member.kind {
            case .group: try visit(child, in: file)
            case .dataset: _ = try? file.readDataset(at: child)
            case .other: break
            }
        }
    }
}
