import CHDF5
import ModelIR

extension HDF5File {
    /// Reads the dataset at `path` as a tensor named after the last component of the path.
    ///
    /// float16, float32, float64, 8- to 64-bit integers, h5py's bool enum and fixed- or
    /// variable-length strings are read; a scalar dataset gives a rank-0 tensor.
    ///
    /// - Throws: `ModelFormatError` naming the file and dataset when it is missing, of another
    ///   type, or over `limits` (checked before anything is allocated).
    public func readDataset(at path: String) throws(ModelFormatError) -> Tensor {
        try readDataset(at: path, name: HDF5File.components(of: path).last ?? "", bytesAlreadyRead: 0)
    }

    /// Reads every dataset under the group at `path`, nested groups included, keyed and named by
    /// the path relative to that group (`"x"`, `"block1/y"`). A group reached twice through links
    /// is read once.
    ///
    /// - Throws: `ModelFormatError` when a dataset cannot be read or all of them together need
    ///   more than `limits.maxTensorBytes`.
    public func readDatasets(under path: String = "/") throws(ModelFormatError) -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        var visitedGroups: Set<haddr_t> = []
        var bytesRead = 0
        func collect(_ group: String, prefix: String) throws(ModelFormatError) {
            guard visitedGroups.insert(try address(of: group)).inserted else { return }
            for member in try members(of: group) {
                let memberPath = group == "/" ? "/" + member.name : group + "/" + member.name
                let key = prefix + member.name
                switch member.kind {
                case .dataset:
                    let tensor = try readDataset(at: memberPath, name: key, bytesAlreadyRead: bytesRead)
                    bytesRead += tensor.byteCount
                    tensors[key] = tensor
                case .group:
                    try collect(memberPath, prefix: key + "/")
                case .other:
                    continue
                }
            }
        }
        try collect(HDF5File.normalized(path), prefix: "")
        return tensors
    }

    /// Writes `tensor` as a new dataset at `path`, creating missing groups above it. The tensor's
    /// own name is not used. float16 and bool are stored as h5py stores them, strings as
    /// variable-length UTF-8, numbers little-endian.
    ///
    /// - Throws: `ModelFormatError.writeFailed` when the file is read-only, `path` exists already,
    ///   or the tensor's type has no HDF5 equivalent (bfloat16, float8, 4-bit, complex).
    public func writeDataset(_ tensor: Tensor, at path: String) throws(ModelFormatError) {
        let id = try openFileID()
        let location = HDF5Location(path: path)
        try requireWritable(location.description)
        guard location.path != "/" else { throw writeFailure(location, "the root group cannot be a dataset") }
        guard !(try contains(location.path)) else {
            throw writeFailure(location, "it already exists; datasets are not overwritten")
        }
        let linkProperties = try makeLinkProperties(for: location.description)
        let linkPropertiesID = linkProperties.id
        do throws(ModelFormatError) {
            try writeTensor(tensor, at: location,
                            create: { H5Dcreate2(id, location.path, $0, $1, linkPropertiesID, chdf5_p_default(), chdf5_p_default()) },
                            write: { H5Dwrite($0, $1, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $2) })
        } catch {
            if (try? contains(location.path)) == true { H5Ldelete(id, location.path, chdf5_p_default()) }
            throw error
        }
    }

    func readDataset(at path: String, name: String, bytesAlreadyRead: Int) throws(ModelFormatError) -> Tensor {
        let location = HDF5Location(path: path)
        let dataset = try openObject(location.path, as: .dataset)
        let datasetID = dataset.id
        guard let type = HDF5Object(H5Dget_type(datasetID)), let space = HDF5Object(H5Dget_space(datasetID)) else {
            throw readFailure(location, withHDF5Detail("its type or shape cannot be read"))
        }
        return try readTensor(name: name, at: location, fileType: type.id, space: space.id, bytesAlreadyRead: bytesAlreadyRead,
                              read: { H5Dread(datasetID, $0, chdf5_s_all(), chdf5_s_all(), $1, $2) })
    }

    /// The address of the object at `path` in the file, which identifies it whatever link leads to it.
    func address(of path: String) throws(ModelFormatError) -> haddr_t {
        let object = try openObject(path, as: .group)
        var info = H5O_info_t()
        guard H5Oget_info2(object.id, &info, UInt32(H5O_INFO_BASIC)) >= 0 else {
            throw .unreadable(file: displayPath, reason: withHDF5Detail("group '\(path)' cannot be inspected"))
        }
        return info.addr
    }
}
