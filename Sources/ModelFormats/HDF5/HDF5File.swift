import CHDF5
import Foundation

/// An open HDF5 file (libhdf5 through `CHDF5`): groups, datasets as `Tensor`s, and attributes.
///
/// Paths are `/`-separated and absolute from the root group whether or not they start with `/`
/// (`"inputs/x"` is `"/inputs/x"`). The file is closed by `close()` or, at the latest, when the
/// object is released. HDF5's own printing of error stacks is turned off; every failure is a
/// `ModelFormatError` naming the file, the object path and what is wrong.
///
/// One `HDF5File` is not meant to be used from two threads at once; separate files may be.
public final class HDF5File {
    public let url: URL
    /// Sizes the file may ask for; checked before a dataset or attribute is read.
    public let limits: ModelLimits
    public let isWritable: Bool
    /// The path error messages name.
    let displayPath: String
    private var fileID: hid_t

    /// Opens an existing file read-only, after an isolated check when `HDF5Probe.isEnabled`.
    ///
    /// - Throws: `ModelFormatError.unreadable` when the file is missing, not HDF5, truncated or
    ///   damaged, or crashes libhdf5 in the isolated check.
    public convenience init(reading url: URL, limits: ModelLimits = .default) throws(ModelFormatError) {
        try self.init(reading: url, limits: limits, probing: HDF5Probe.isEnabled)
    }

    convenience init(reading url: URL, limits: ModelLimits, probing: Bool) throws(ModelFormatError) {
        let id = try HDF5File.open(url, flags: chdf5_f_acc_rdonly(), probing: probing ? limits : nil)
        self.init(url: url, id: id, limits: limits, isWritable: false)
    }

    /// Opens an existing file to read and add to it, after an isolated check when `HDF5Probe.isEnabled`.
    public convenience init(updating url: URL, limits: ModelLimits = .default) throws(ModelFormatError) {
        let id = try HDF5File.open(url, flags: chdf5_f_acc_rdwr(), probing: HDF5Probe.isEnabled ? limits : nil)
        self.init(url: url, id: id, limits: limits, isWritable: true)
    }

    /// Creates a new, empty file.
    ///
    /// - Parameter overwrite: replace a file that already exists at `url`; without it that is an error.
    /// - Throws: `ModelFormatError.writeFailed` when the file exists (and `overwrite` is false) or cannot be created.
    public convenience init(creating url: URL, overwrite: Bool = false, limits: ModelLimits = .default) throws(ModelFormatError) {
        try self.init(creating: url, overwrite: overwrite, limits: limits, displayPath: url.path)
    }

    /// Creates a new file whose errors name `displayPath`, the file it will be renamed to.
    convenience init(creating url: URL, overwrite: Bool, limits: ModelLimits, displayPath: String) throws(ModelFormatError) {
        chdf5_silence_errors()
        if !overwrite, FileManager.default.fileExists(atPath: url.path) {
            throw .writeFailed(file: displayPath, reason: "the file already exists; pass overwrite: true to replace it")
        }
        let flags = overwrite ? chdf5_f_acc_trunc() : chdf5_f_acc_excl()
        let id = H5Fcreate(url.path, flags, chdf5_p_default(), chdf5_p_default())
        guard id >= 0 else {
            throw .writeFailed(file: displayPath, reason: withHDF5Detail("HDF5 cannot create the file"))
        }
        self.init(url: url, id: id, limits: limits, isWritable: true, displayPath: displayPath)
    }

    private init(url: URL, id: hid_t, limits: ModelLimits, isWritable: Bool, displayPath: String? = nil) {
        self.url = url
        self.displayPath = displayPath ?? url.path
        fileID = id
        self.limits = limits
        self.isWritable = isWritable
    }

    deinit {
        guard fileID >= 0 else { return }
        chdf5_silence_errors()
        H5Fclose(fileID)
    }

    /// Flushes and closes the file; later calls do nothing, other methods throw.
    ///
    /// - Throws: `ModelFormatError.writeFailed` when pending data cannot be written.
    public func close() throws(ModelFormatError) {
        guard fileID >= 0 else { return }
        chdf5_silence_errors()
        let status = H5Fclose(fileID)
        fileID = -1
        guard status >= 0 else {
            throw .writeFailed(file: displayPath, reason: withHDF5Detail("HDF5 cannot close the file"))
        }
    }

    public var isOpen: Bool { fileID >= 0 }

    /// True when `path` names a group, dataset or other object in the file (the root always exists).
    public func contains(_ path: String) throws(ModelFormatError) -> Bool {
        let id = try openFileID()
        var prefix = ""
        for component in HDF5File.components(of: path) {
            prefix += "/" + component
            guard H5Lexists(id, prefix, chdf5_p_default()) > 0,
                  H5Oexists_by_name(id, prefix, chdf5_p_default()) > 0 else { return false }
        }
        return true
    }

    /// The members of the group at `path`, sorted by name.
    ///
    /// - Throws: `ModelFormatError` when there is no group at `path`.
    public func members(of path: String = "/") throws(ModelFormatError) -> [HDF5Member] {
        let group = try openObject(path, as: .group)
        var info = H5G_info_t()
        guard H5Gget_info(group.id, &info) >= 0 else {
            throw .unreadable(file: displayPath, reason: withHDF5Detail("group '\(HDF5File.normalized(path))' cannot be listed"))
        }
        var members: [HDF5Member] = []
        for index in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(group.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, chdf5_p_default())
            guard length >= 0 else {
                throw .unreadable(file: displayPath, reason: withHDF5Detail("group '\(HDF5File.normalized(path))' cannot be listed"))
            }
            var bytes = [CChar](repeating: 0, count: Int(length) + 1)
            H5Lget_name_by_idx(group.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &bytes, bytes.count, chdf5_p_default())
            let name = String(decoding: bytes.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            members.append(HDF5Member(name: name, kind: HDF5File.kind(of: name, in: group.id)))
        }
        return members
    }

    /// Creates the group at `path` and any missing groups above it; an existing group is left as it is.
    ///
    /// - Throws: `ModelFormatError` when the file is read-only, `path` names a dataset, or HDF5 refuses.
    public func createGroup(at path: String) throws(ModelFormatError) {
        let id = try openFileID()
        let name = HDF5File.normalized(path)
        if try contains(name) {
            _ = try openObject(name, as: .group)
            return
        }
        try requireWritable("group '\(name)'")
        let linkProperties = try makeLinkProperties(for: name)
        guard HDF5Object(H5Gcreate2(id, name, linkProperties.id, chdf5_p_default(), chdf5_p_default())) != nil else {
            throw .writeFailed(file: displayPath, reason: withHDF5Detail("group '\(name)' cannot be created"))
        }
    }

    // MARK: - Shared by the extensions

    func openFileID() throws(ModelFormatError) -> hid_t {
        chdf5_silence_errors()
        guard fileID >= 0 else { throw .unreadable(file: displayPath, reason: "the HDF5 file has been closed") }
        return fileID
    }

    /// Opens the object at `path`, which must be of `kind` unless that is nil.
    func openObject(_ path: String, as kind: HDF5Member.Kind?) throws(ModelFormatError) -> HDF5Object {
        let id = try openFileID()
        let name = HDF5File.normalized(path)
        guard try contains(name) else {
            throw .unreadable(file: displayPath, reason: "there is no \((kind ?? .other).noun) '\(name)'\(try listing(near: name))")
        }
        guard let object = HDF5Object(H5Oopen(id, name, chdf5_p_default())) else {
            throw .unreadable(file: displayPath, reason: withHDF5Detail("\((kind ?? .other).noun) '\(name)' cannot be opened"))
        }
        let found = HDF5File.kind(ofOpen: object.id)
        if let kind, found != kind {
            throw .unreadable(file: displayPath, reason: "'\(name)' is a \(found.noun), not a \(kind.noun)")
        }
        return object
    }

    func requireWritable(_ object: String) throws(ModelFormatError) {
        guard isWritable else {
            throw .writeFailed(file: displayPath, reason: "cannot write \(object): the file is open read-only")
        }
    }

    /// Link creation properties that create missing intermediate groups and mark names as UTF-8, as h5py does.
    func makeLinkProperties(for object: String) throws(ModelFormatError) -> HDF5Object {
        guard let properties = HDF5Object(H5Pcreate(chdf5_p_link_create())),
              H5Pset_create_intermediate_group(properties.id, 1) >= 0,
              H5Pset_char_encoding(properties.id, H5T_CSET_UTF8) >= 0 else {
            throw .writeFailed(file: displayPath, reason: withHDF5Detail("cannot prepare to create \(object)"))
        }
        return properties
    }

    /// `path` as an absolute HDF5 path without empty components: `"inputs//x/"` is `"/inputs/x"`.
    static func normalized(_ path: String) -> String {
        "/" + components(of: path).joined(separator: "/")
    }

    static func components(of path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    // MARK: - Private

    /// Opens the file; with `probing` limits, only after `HDF5Probe.check` has walked it in a child process.
    private static func open(_ url: URL, flags: UInt32, probing: ModelLimits?) throws(ModelFormatError) -> hid_t {
        chdf5_silence_errors()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .unreadable(file: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw .unreadable(file: url.path, reason: "is a directory, not an HDF5 file")
        }
        if let probing { try HDF5Probe.check(url, limits: probing) }
        let isHDF5 = H5Fis_hdf5(url.path)
        guard isHDF5 != 0 else {
            throw .unreadable(file: url.path, reason: "not an HDF5 file: the HDF5 signature is missing")
        }
        guard isHDF5 > 0 else {
            throw .unreadable(file: url.path, reason: withHDF5Detail("HDF5 cannot check the file"))
        }
        let id = H5Fopen(url.path, flags, chdf5_p_default())
        guard id >= 0 else {
            throw .unreadable(file: url.path, reason: withHDF5Detail("HDF5 cannot open the file; it may be truncated or damaged"))
        }
        return id
    }

    /// ", members of '/inputs': a, b" for the nearest existing group above `path`, to help with typos.
    private func listing(near path: String) throws(ModelFormatError) -> String {
        var parent = HDF5File.components(of: path).dropLast()
        while !parent.isEmpty, !(try contains(parent.joined(separator: "/"))) { parent.removeLast() }
        let group = "/" + parent.joined(separator: "/")
        guard let siblings = try? members(of: group) else { return "" }
        let names = siblings.prefix(20).map(\.name).joined(separator: ", ")
        return siblings.isEmpty ? " ('\(group)' is empty)" : " (members of '\(group)': \(names)\(siblings.count > 20 ? ", …" : ""))"
    }

    private static func kind(of name: String, in group: hid_t) -> HDF5Member.Kind {
        guard H5Oexists_by_name(group, name, chdf5_p_default()) > 0,
              let object = HDF5Object(H5Oopen(group, name, chdf5_p_default())) else { return .other }
        return kind(ofOpen: object.id)
    }

    private static func kind(ofOpen id: hid_t) -> HDF5Member.Kind {
        switch H5Iget_type(id) {
        case H5I_GROUP: .group
        case H5I_DATASET: .dataset
        default: .other
        }
    }
}

extension HDF5Member.Kind {
    var noun: String {
        switch self {
        case .group: "group"
        case .dataset: "dataset"
        case .other: "object"
        }
    }
}
