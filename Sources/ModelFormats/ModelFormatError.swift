import ModelIR

/// Why a model or tensor file could not be read or written. Every case names the file.
public enum ModelFormatError: Error, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case malformed(file: String, reason: String)
    case invalidTensor(file: String, tensor: String, reason: String)
    case externalData(file: String, tensor: String, reason: String)
    case unsupportedFormat(file: String, reason: String)
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            "\(file): cannot read: \(reason)"
        case let .malformed(file, reason):
            "\(file): not a valid model file: \(reason)"
        case let .invalidTensor(file, tensor, reason):
            "\(file): tensor '\(tensor)': \(reason)"
        case let .externalData(file, tensor, reason):
            "\(file): external data of tensor '\(tensor)': \(reason)"
        case let .unsupportedFormat(file, reason):
            "\(file): \(reason)"
        case let .writeFailed(file, reason):
            "\(file): cannot write: \(reason)"
        }
    }
}
