import Foundation

/// A fresh directory under the system's temporary directory, removed with everything in it when
/// the object is released.
public final class TemporaryDirectory {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("modelgate-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The path of `name` inside the directory (nothing is created).
    public func file(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }
}
