import Foundation

/// Writes files so that a reader sees the old content or the new, never a part: the data goes to
/// a temporary file in the same folder, which is then renamed over the destination. (Foundation's
/// `.atomic` writes are not used: on Linux each leaves an empty `TemporaryDirectory.*` folder behind
/// in /tmp.)
public enum AtomicFile {
    /// Why a file could not be written.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var reason: String

        public var description: String { "\(file): \(reason)" }
    }

    /// - Throws: `Failure` naming the destination.
    public static func write(_ data: Data, to url: URL) throws(Failure) {
        let folder = url.deletingLastPathComponent()
        let temporary = temporaryURL(for: url)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw Failure(file: url.path, reason: error.localizedDescription)
        }
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw Failure(file: url.path, reason: "cannot create \(temporary.lastPathComponent) in \(folder.path)")
        }
        try replace(url, with: temporary)
    }

    /// A name for the temporary file that `replace(_:with:)` later puts in place of `url`: hidden,
    /// in the same folder (a rename does not cross file systems), unique to this process and call.
    public static func temporaryURL(for url: URL) -> URL {
        url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
    }

    /// Flushes the finished file `temporary` and renames it over `url`; removes it when that fails.
    public static func replace(_ url: URL, with temporary: URL) throws(Failure) {
        if let handle = FileHandle(forWritingAtPath: temporary.path) {
            try? handle.synchronize()
            try? handle.close()
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw Failure(file: url.path, reason: reason)
        }
    }

    public static func write(_ text: String, to url: URL) throws(Failure) {
        try write(Data(text.utf8), to: url)
    }

    /// Points the symbolic link `link` at `destination` (a relative path), replacing any
    /// previous link atomically.
    public static func symlink(_ link: URL, to destination: String) throws(Failure) {
        let temporary = link.deletingLastPathComponent()
            .appendingPathComponent(".\(link.lastPathComponent).tmp-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: destination)
        } catch {
            throw Failure(file: link.path, reason: error.localizedDescription)
        }
        guard rename(temporary.path, link.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw Failure(file: link.path, reason: reason + " (is \(link.lastPathComponent) a folder?)")
        }
    }
}
