import CHDF5

/// An HDF5 identifier this code opened or created (group, dataset, attribute, datatype, dataspace,
/// property list), released exactly once when the value goes out of scope.
///
/// Never wrap a predefined identifier such as `H5T_STD_I32LE`: copy it with `H5Tcopy` first.
struct HDF5Object: ~Copyable {
    let id: hid_t

    /// Takes ownership of `id`, or returns nil when an HDF5 call failed and returned a negative id.
    init?(_ id: hid_t) {
        guard id >= 0 else { return nil }
        self.id = id
    }

    deinit { H5Idec_ref(id) }
}

/// HDF5's description of the latest failure on this thread, such as "truncated file: eof = 96, …",
/// or an empty string when the error stack is empty.
func hdf5ErrorDetail() -> String {
    var text = [CChar](repeating: 0, count: 256)
    chdf5_innermost_error(&text)
    let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

/// `reason`, followed by what HDF5 said when it has something to say.
func withHDF5Detail(_ reason: String) -> String {
    let detail = hdf5ErrorDetail()
    return detail.isEmpty ? reason : "\(reason) (HDF5: \(detail))"
}
