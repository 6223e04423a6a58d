import CHDF5
import ModelIR

/// How the elements of one HDF5 datatype map to tensor elements, and the HDF5 types that read and
/// write them.
///
/// Numbers are read into little-endian memory types (the layout `Tensor` storage uses), whatever
/// byte order the file has. float16 is h5py's 2-byte IEEE type, bool is h5py's enum
/// `{FALSE = 0, TRUE = 1}` over int8, and strings are read as bytes, fixed- or variable-length.
enum HDF5ElementType {
    /// A number or bool whose memory layout is the `Tensor` storage of `DataType`.
    case fixedWidth(DataType)
    case fixedLengthString(size: Int, padding: H5T_str_t)
    case variableLengthString

    /// The types a tensor can be written as; nil for types h5py has no equivalent of.
    init?(writing dataType: DataType) {
        switch dataType {
        case .float16, .float, .double, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .bool:
            self = .fixedWidth(dataType)
        case .string:
            self = .variableLengthString
        default:
            return nil
        }
    }

    /// Classifies the datatype of a dataset or attribute.
    ///
    /// - Parameter object: what holds the data, for messages ("dataset '/inputs/x'").
    /// - Throws: `ModelFormatError.unsupportedFormat` naming the HDF5 type and what to do instead.
    init(fileType type: hid_t, file: String, object: String) throws(ModelFormatError) {
        func unsupported(_ reason: String) -> ModelFormatError {
            .unsupportedFormat(file: file, reason: "\(object): \(reason)")
        }
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            switch size {
            case 2:
                guard HDF5ElementType.isIEEEFloat16(type) else {
                    throw unsupported("a 2-byte float that is not IEEE float16 (bfloat16?) is not supported; store it as float32")
                }
                self = .fixedWidth(.float16)
            case 4: self = .fixedWidth(.float)
            case 8: self = .fixedWidth(.double)
            default: throw unsupported("\(size)-byte floats are not supported; store float16, float32 or float64")
            }
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch size {
            case 1: self = .fixedWidth(signed ? .int8 : .uint8)
            case 2: self = .fixedWidth(signed ? .int16 : .uint16)
            case 4: self = .fixedWidth(signed ? .int32 : .uint32)
            case 8: self = .fixedWidth(signed ? .int64 : .uint64)
            default: throw unsupported("\(size)-byte integers are not supported; store 8-, 16-, 32- or 64-bit integers")
            }
        case H5T_ENUM:
            guard HDF5ElementType.isBoolEnum(type) else {
                throw unsupported("enum types other than h5py's bool (FALSE = 0, TRUE = 1 over int8) are not supported; store the codes as integers")
            }
            self = .fixedWidth(.bool)
        case H5T_STRING:
            let variable = H5Tis_variable_str(type)
            guard variable >= 0 else { throw unsupported(withHDF5Detail("the string type cannot be inspected")) }
            self = variable > 0 ? .variableLengthString : .fixedLengthString(size: size, padding: H5Tget_strpad(type))
        case H5T_COMPOUND:
            throw unsupported("compound (struct) types, which h5py also uses for complex numbers, are not supported; store each field as its own dataset")
        case H5T_VLEN:
            throw unsupported("variable-length sequences (ragged arrays) are not supported; pad them to a fixed shape")
        case H5T_ARRAY:
            throw unsupported("array element types are not supported; make the array dimensions dataset dimensions")
        case H5T_BITFIELD, H5T_OPAQUE, H5T_REFERENCE, H5T_TIME:
            throw unsupported("HDF5 type class \(HDF5ElementType.className(H5Tget_class(type))) holds no tensor data; store numbers, bools or strings")
        default:
            throw unsupported(withHDF5Detail("the datatype cannot be inspected"))
        }
    }

    /// The tensor element type.
    var dataType: DataType {
        switch self {
        case .fixedWidth(let dataType): dataType
        case .fixedLengthString, .variableLengthString: .string
        }
    }

    /// Bytes one element takes in a read or write buffer.
    var bufferStride: Int {
        switch self {
        case .fixedWidth(let dataType): dataType.bitWidth / 8
        case .fixedLengthString(let size, _): size
        case .variableLengthString: MemoryLayout<UnsafeMutablePointer<CChar>?>.stride
        }
    }

    /// The type to write elements as: h5py's float16 and bool, little-endian numbers, UTF-8
    /// variable-length strings. Nil when HDF5 fails to build it.
    func makeFileType() -> HDF5Object? {
        switch self {
        case .fixedWidth(.float16): return HDF5ElementType.makeFloat16Type()
        case .fixedWidth(.bool): return HDF5ElementType.makeBoolType()
        case .fixedWidth(let dataType):
            guard let predefined = HDF5ElementType.littleEndianType(dataType) else { return nil }
            return HDF5Object(H5Tcopy(predefined))
        case .fixedLengthString(let size, let padding):
            guard let type = HDF5Object(H5Tcopy(chdf5_c_s1())),
                  H5Tset_size(type.id, size) >= 0, H5Tset_strpad(type.id, padding) >= 0 else { return nil }
            return type
        case .variableLengthString:
            guard let type = HDF5Object(H5Tcopy(chdf5_c_s1())),
                  H5Tset_size(type.id, chdf5_variable()) >= 0, H5Tset_cset(type.id, H5T_CSET_UTF8) >= 0 else { return nil }
            return type
        }
    }

    /// The type to read elements of `fileType` into. Strings and bools keep the file's own type
    /// (character set and padding included), so HDF5 copies their bytes unchanged.
    func makeMemoryType(for fileType: hid_t) -> HDF5Object? {
        switch self {
        case .fixedWidth(.bool), .fixedLengthString, .variableLengthString: HDF5Object(H5Tcopy(fileType))
        case .fixedWidth: makeFileType()
        }
    }

    private static func littleEndianType(_ dataType: DataType) -> hid_t? {
        switch dataType {
        case .float: chdf5_ieee_f32le()
        case .double: chdf5_ieee_f64le()
        case .int8: chdf5_std_i8le()
        case .int16: chdf5_std_i16le()
        case .int32: chdf5_std_i32le()
        case .int64: chdf5_std_i64le()
        case .uint8: chdf5_std_u8le()
        case .uint16: chdf5_std_u16le()
        case .uint32: chdf5_std_u32le()
        case .uint64: chdf5_std_u64le()
        default: nil
        }
    }

    /// h5py's float16: IEEE_F32LE with fields (15, 10, 5, 0, 10), size 2, exponent bias 15.
    private static func makeFloat16Type() -> HDF5Object? {
        guard let type = HDF5Object(H5Tcopy(chdf5_ieee_f32le())),
              H5Tset_fields(type.id, 15, 10, 5, 0, 10) >= 0,
              H5Tset_size(type.id, 2) >= 0,
              H5Tset_ebias(type.id, 15) >= 0 else { return nil }
        return type
    }

    /// h5py's bool: an enum over int8 with FALSE = 0 and TRUE = 1.
    private static func makeBoolType() -> HDF5Object? {
        guard let type = HDF5Object(H5Tenum_create(chdf5_std_i8le())) else { return nil }
        var no: Int8 = 0
        var yes: Int8 = 1
        guard H5Tenum_insert(type.id, "FALSE", &no) >= 0, H5Tenum_insert(type.id, "TRUE", &yes) >= 0 else { return nil }
        return type
    }

    private static func isIEEEFloat16(_ type: hid_t) -> Bool {
        var sign = 0, exponentPosition = 0, exponentSize = 0, mantissaPosition = 0, mantissaSize = 0
        guard H5Tget_fields(type, &sign, &exponentPosition, &exponentSize, &mantissaPosition, &mantissaSize) >= 0 else { return false }
        return (sign, exponentPosition, exponentSize, mantissaPosition, mantissaSize) == (15, 10, 5, 0, 10)
            && H5Tget_ebias(type) == 15
    }

    /// True for a two-member enum over a 1-byte integer whose members are FALSE = 0 and TRUE = 1.
    private static func isBoolEnum(_ type: hid_t) -> Bool {
        guard H5Tget_nmembers(type) == 2, let base = HDF5Object(H5Tget_super(type)),
              H5Tget_class(base.id) == H5T_INTEGER, H5Tget_size(base.id) == 1 else { return false }
        var members: [String: UInt8] = [:]
        for index in 0..<UInt32(2) {
            guard let cName = H5Tget_member_name(type, index) else { return false }
            let name = String(cString: cName).uppercased()
            H5free_memory(cName)
            var value: UInt8 = 0
            guard H5Tget_member_value(type, index, &value) >= 0 else { return false }
            members[name] = value
        }
        return members == ["FALSE": 0, "TRUE": 1]
    }

    static func className(_ typeClass: H5T_class_t) -> String {
        switch typeClass {
        case H5T_INTEGER: "INTEGER"
        case H5T_FLOAT: "FLOAT"
        case H5T_TIME: "TIME"
        case H5T_STRING: "STRING"
        case H5T_BITFIELD: "BITFIELD"
        case H5T_OPAQUE: "OPAQUE"
        case H5T_COMPOUND: "COMPOUND"
        case H5T_REFERENCE: "REFERENCE"
        case H5T_ENUM: "ENUM"
        case H5T_VLEN: "VLEN"
        case H5T_ARRAY: "ARRAY"
        default: "unknown (\(typeClass.rawValue))"
        }
    }
}
