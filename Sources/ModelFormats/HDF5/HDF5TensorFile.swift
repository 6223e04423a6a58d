import Foundation
import ModelIR

/// Named tensors in HDF5 files, as golden and calibration files hold them: datasets in groups
/// such as `inputs/<name>` and `outputs/<name>` (the first axis is the sample axis), an optional
/// root dataset `labels`, and string attributes such as `provenance` on the root group.
///
/// For anything beyond whole groups and root string attributes, open an `HDF5File`.
public enum HDF5TensorFile {
    /// The root attribute that records which framework produced golden outputs.
    public static let provenanceAttribute = "provenance"

    /// Reads every dataset under `group` (nested groups too), keyed and named by its path relative
    /// to the group: `read(url, group: "inputs")` gives `["x": …]` for `inputs/x`.
    ///
    /// - Throws: `ModelFormatError` when the file or group is missing, a dataset cannot be read,
    ///   or the datasets together need more than `limits.maxTensorBytes`.
    public static func read(_ url: URL, group: String = "/", limits: ModelLimits = .default) throws(ModelFormatError) -> [String: Tensor] {
        try HDF5File(reading: url, limits: limits).readDatasets(under: group)
    }

    /// The `provenance` string attribute of the root group, or nil when the file has none.
    public static func provenance(of url: URL) throws(ModelFormatError) -> String? {
        let file = try HDF5File(reading: url)
        guard try file.hasAttribute(provenanceAttribute) else { return nil }
        return try file.readStringAttribute(provenanceAttribute)
    }

    /// Writes `tensors` keyed by dataset path (`"inputs/x"`, `"outputs/y"`, `"labels"`), creating
    /// their groups, and `attributes` as string attributes of the root group.
    ///
    /// The file is written beside `url` under a temporary name and then renamed to `url`, so a
    /// failed write leaves no partial file.
    ///
    /// - Parameter overwrite: replace an existing file at `url`; without it that is an error.
    /// - Throws: `ModelFormatError.writeFailed` naming the file and, where one is at fault, the dataset.
    public static func write(_ tensors: [String: Tensor], attributes: [String: String] = [:], to url: URL,
                             overwrite: Bool = false) throws(ModelFormatError) {
        if !overwrite, FileManager.default.fileExists(atPath: url.path) {
            throw .writeFailed(file: url.path, reason: "the file already exists; pass overwrite: true to replace it")
        }
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let file = try HDF5File(creating: temporary, overwrite: false, limits: .default, displayPath: url.path)
        for name in attributes.keys.sorted() {
            try file.writeAttribute(name, string: attributes[name] ?? "")
        }
        for path in tensors.keys.sorted() {
            if let tensor = tensors[path] { try file.writeDataset(tensor, at: path) }
        }
        try file.close()
        try moveIntoPlace(temporary, url, overwrite: overwrite)
    }

    private static func moveIntoPlace(_ temporary: URL, _ url: URL, overwrite: Bool) throws(ModelFormatError) {
        if overwrite {
            guard rename(temporary.path, url.path) == 0 else {
                throw .writeFailed(file: url.path, reason: String(cString: strerror(errno)))
            }
        } else {
            do { try FileManager.default.moveItem(at: temporary, to: url) } catch {
                throw .writeFailed(file: url.path, reason: describe(error))
            }
        }
    }
}
