import Executor
import Foundation
import ModelIR

/// A way of storing a model's input and output values on disk, for `exec` and `golden`.
///
/// Formats are chosen by path in `ValueFiles.format(for:)`; to add one, implement this protocol
/// in its own file and add it to `ValueFiles.formats`.
public protocol ValueFileFormat: Sendable {
    /// A short name for messages (`"pb folder"`).
    var name: String { get }
    /// True when this format reads or writes `url`.
    func handles(_ url: URL) -> Bool
    /// The values at `url` keyed by the names of the graph inputs they feed.
    func readInputs(_ url: URL, for graph: Graph) throws -> [String: RuntimeValue]
    /// The existing files that writing `count` outputs to `url` would replace.
    func filesReplaced(writingOutputs count: Int, to url: URL) -> [URL]
    /// Writes `outputs` (in graph output order) to `url`.
    /// - Parameter overwrite: replace existing files; without it an existing file is an error.
    func writeOutputs(_ outputs: [NamedValue], to url: URL, graph: Graph, overwrite: Bool) throws
}

/// Why values could not be read or written; every case names the file.
public struct ValueFileError: Error, CustomStringConvertible {
    public var file: String
    public var reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}

/// The value file formats ModelGate knows.
public enum ValueFiles {
    public static let formats: [any ValueFileFormat] = [HDF5ValueFiles(), PBValueFiles()]

    /// The format for `url`.
    /// - Throws: `ValueFileError` when no format handles it.
    public static func format(for url: URL) throws -> any ValueFileFormat {
        guard let format = formats.first(where: { $0.handles(url) }) else {
            throw ValueFileError(file: url.path, reason: "unknown value file; expected an HDF5 file (.h5) with inputs/<name> datasets, a folder of input_K.pb / output_K.pb files, or a .pb file")
        }
        return format
    }
}
