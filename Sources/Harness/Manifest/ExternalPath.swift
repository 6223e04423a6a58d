import Foundation

/// A user's converter, declared under `external_paths:`: a command run with `{input}` replaced by
/// the source model and `{output}` by the file it must write, read back as ONNX or TFLite.
public struct ExternalPath: Sendable, Hashable, Codable {
    /// The format of the file the command writes.
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        case onnx, tflite

        public var fileExtension: String { rawValue }
    }

    public var name: String
    public var command: String
    public var format: Format

    public init(name: String, command: String, format: Format = .onnx) {
        self.name = name
        self.command = command
        self.format = format
    }

    /// The command for `/bin/sh -c` with both placeholders replaced by single-quoted paths.
    public func shellCommand(input: URL, output: URL) -> String {
        command.replacingOccurrences(of: "{input}", with: Self.shellQuoted(input.path))
            .replacingOccurrences(of: "{output}", with: Self.shellQuoted(output.path))
    }

    /// `text` in single quotes, safe for any `/bin/sh`.
    public static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
