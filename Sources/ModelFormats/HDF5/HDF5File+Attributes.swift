import CHDF5
import ModelIR

extension HDF5File {
    /// The names of the attributes of the group or dataset at `path`, sorted.
    public func attributeNames(of path: String = "/") throws(ModelFormatError) -> [String] {
        let object = try openObject(path, as: nil)
        var info = H5O_info_t()
        guard H5Oget_info2(object.id, &info, UInt32(H5O_INFO_NUM_ATTRS)) >= 0 else {
            throw .unreadable(file: displayPath, reason: withHDF5Detail("the attributes of '\(HDF5File.normalized(path))' cannot be listed"))
        }
        var names: [String] = []
        for index in 0..<info.num_attrs {
            let length = H5Aget_name_by_idx(object.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, chdf5_p_default())
            guard length >= 0 else {
                throw .unreadable(file: displayPath, reason: withHDF5Detail("the attributes of '\(HDF5File.normalized(path))' cannot be listed"))
            }
            var bytes = [CChar](repeating: 0, count: length + 1)
            H5Aget_name_by_idx(object.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &bytes, bytes.count, chdf5_p_default())
            names.append(String(decoding: bytes.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// True when the group or dataset at `path` has an attribute called `name`.
    public func hasAttribute(_ name: String, of path: String = "/") throws(ModelFormatError) -> Bool {
        let object = try openObject(path, as: nil)
        return H5Aexists(object.id, name) > 0
    }

    /// Reads an attribute as a tensor: rank 0 for a scalar, `.string` for fixed- or variable-length
    /// strings, numbers and bools as for datasets.
    ///
    /// - Throws: `ModelFormatError` naming the file, object and attribute when it is missing or unreadable.
    public func readAttribute(_ name: String, of path: String = "/") throws(ModelFormatError) -> Tensor {
        let location = HDF5Location(path: path, attribute: name)
        let object = try openObject(location.path, as: nil)
        guard H5Aexists(object.id, name) > 0 else {
            let known = (try? attributeNames(of: location.path)) ?? []
            throw readFailure(location, "there is no such attribute" + (known.isEmpty ? "" : " (attributes: \(known.joined(separator: ", ")))"))
        }
        guard let attribute = HDF5Object(H5Aopen(object.id, name, chdf5_p_default())),
              let type = HDF5Object(H5Aget_type(attribute.id)),
              let space = HDF5Object(H5Aget_space(attribute.id)) else {
            throw readFailure(location, withHDF5Detail("it cannot be opened"))
        }
        let attributeID = attribute.id
        return try readTensor(name: name, at: location, fileType: type.id, space: space.id,
                              read: { memoryType, _, buffer in H5Aread(attributeID, memoryType, buffer) })
    }

    /// Reads a string attribute holding one string (a scalar or a one-element array), decoded as UTF-8.
    ///
    /// - Throws: `ModelFormatError` when it is missing, not a string, or holds several strings.
    public func readStringAttribute(_ name: String, of path: String = "/") throws(ModelFormatError) -> String {
        let value = try readAttribute(name, of: path)
        guard let strings = value.strings, strings.count == 1, value.rank <= 1 else {
            throw readFailure(HDF5Location(path: path, attribute: name),
                              "it holds \(value.dataType) of shape \(value.shape), not one string")
        }
        return String(decoding: strings[0], as: UTF8.self)
    }

    /// Reads a string attribute holding a 1-D array of strings (such as Keras's `layer_names`),
    /// or a single string as a one-element array.
    ///
    /// - Throws: `ModelFormatError` when it is missing, not a string, or of rank above 1.
    public func readStringArrayAttribute(_ name: String, of path: String = "/") throws(ModelFormatError) -> [String] {
        let value = try readAttribute(name, of: path)
        guard let strings = value.strings, value.rank <= 1 else {
            throw readFailure(HDF5Location(path: path, attribute: name),
                              "it holds \(value.dataType) of shape \(value.shape), not a list of strings")
        }
        return strings.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Sets an attribute of the group or dataset at `path` to `value` (any rank; numbers, bools or
    /// strings as for datasets), replacing an attribute of the same name.
    ///
    /// - Throws: `ModelFormatError.writeFailed` when the file is read-only, `path` does not exist,
    ///   the type is not supported, or HDF5 refuses (attributes over 64 KiB).
    public func writeAttribute(_ name: String, _ value: Tensor, of path: String = "/") throws(ModelFormatError) {
        let location = HDF5Location(path: path, attribute: name)
        try requireWritable(location.description)
        let object = try openObject(location.path, as: nil)
        let objectID = object.id
        if H5Aexists(objectID, name) > 0, H5Adelete(objectID, name) < 0 {
            throw writeFailure(location, withHDF5Detail("the existing attribute cannot be replaced"))
        }
        guard let creationProperties = HDF5Object(H5Pcreate(chdf5_p_attribute_create())),
              H5Pset_char_encoding(creationProperties.id, H5T_CSET_UTF8) >= 0 else {
            throw writeFailure(location, withHDF5Detail("cannot prepare to create it"))
        }
        let creationPropertiesID = creationProperties.id
        try writeTensor(value, at: location,
                        create: { H5Acreate2(objectID, name, $0, $1, creationPropertiesID, chdf5_p_default()) },
                        write: { H5Awrite($0, $1, $2) })
    }

    /// Sets a scalar variable-length UTF-8 string attribute, as h5py writes `attrs[name] = "…"`.
    public func writeAttribute(_ name: String, string: String, of path: String = "/") throws(ModelFormatError) {
        try writeAttribute(name, stringTensor([string], shape: [], name: name, of: path), of: path)
    }

    /// Sets a 1-D variable-length UTF-8 string attribute, as h5py writes `attrs[name] = ["a", "b"]`.
    public func writeAttribute(_ name: String, strings: [String], of path: String = "/") throws(ModelFormatError) {
        try writeAttribute(name, stringTensor(strings, shape: [strings.count], name: name, of: path), of: path)
    }

    private func stringTensor(_ strings: [String], shape: [Int], name: String, of path: String) throws(ModelFormatError) -> Tensor {
        do { return try Tensor(name: name, shape: shape, strings: strings.map { Array($0.utf8) }) } catch {
            throw writeFailure(HDF5Location(path: path, attribute: name), error.description)
        }
    }
}
