import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads an untrusted HDF5 file in a child process before this process opens it.
///
/// libhdf5 parses object headers, B-trees and heaps with little defence against damaged or hostile
/// files and can fault inside the library, which no error handling survives. When probing is
/// enabled (`modelgate` enables it for every command), `HDF5File` opens a file for reading only
/// after a forked child has walked it — every group, attribute and dataset, as `walk` does — and
/// exited normally. A child that dies by a signal or hangs becomes a `ModelFormatError` naming the
/// file. Each file (device, inode, size and modification time) is probed once per process.
///
/// Probing is off by default, so library callers that cannot fork (or do not want to) read files
/// directly.
public enum HDF5Probe {
    /// Whether `HDF5File(reading:)` and `HDF5File(updating:)` probe the file first.
    public static var isEnabled: Bool {
        get { state.withLock { $0.isEnabled } }
        set { state.withLock { $0.isEnabled = newValue } }
    }

    /// How long a probe of a small file may run before it counts as a hang (libhdf5 loops forever
    /// on some damaged heaps); larger files get another second per 50 MB.
    public static var baseTimeoutSeconds: Double {
        get { state.withLock { $0.baseTimeoutSeconds } }
        set { state.withLock { $0.baseTimeoutSeconds = newValue } }
    }

    /// Reads everything `HDF5File` can read from `url`: the attributes of every group and dataset
    /// and every dataset's data (within `limits`). Errors on single attributes or datasets are
    /// skipped, since a reader may not need them; the walk only has to survive them.
    ///
    /// - Throws: `ModelFormatError` when the file cannot be opened or a group cannot be listed.
    public static func walk(_ url: URL, limits: ModelLimits) throws(ModelFormatError) {
        let file = try HDF5File(reading: url, limits: limits, probing: false)
        defer { try? file.close() }
        var visited: Set<String> = []
        try visit("/", in: file, visited: &visited)
    }

    /// Walks `url` in a forked child process, once per file and process.
    ///
    /// - Throws: `ModelFormatError.unreadable` naming the file when the child ends by a signal,
    ///   runs past its timeout (`baseTimeoutSeconds`, more for large files), or reports an error
    ///   (its message is passed on).
    public static func check(_ url: URL, limits: ModelLimits) throws(ModelFormatError) {
        let identity = fileIdentity(url)
        if let identity, state.withLock({ $0.probed.contains(identity) }) { return }
        try probeInChild(url, limits: limits)
        if let identity { _ = state.withLock { $0.probed.insert(identity) } }
    }

    /// Forgets which files were probed, so that a file rewritten in place (same inode, size and
    /// modification time to the clock's resolution) is probed again.
    public static func forgetProbedFiles() {
        state.withLock { $0.probed.removeAll() }
    }

    // MARK: - Private

    private struct State {
        var isEnabled = false
        var baseTimeoutSeconds = 10.0
        var probed: Set<String> = []
    }

    private static let state = LockedState(State())

    private static func visit(_ path: String, in file: HDF5File, visited: inout Set<String>) throws(ModelFormatError) {
        guard let address = try? file.address(of: path), visited.insert("\(address)").inserted else { return }
        for attribute in (try? file.attributeNames(of: path)) ?? [] {
            _ = try? file.readAttribute(attribute, of: path)
            _ = try? file.readStringArrayAttribute(attribute, of: path)
        }
        for member in try file.members(of: path) {
            let child = path == "/" ? "/\(member.name)" : "\(path)/\(member.name)"
            switch member.kind {
            case .group:
                try visit(child, in: file, visited: &visited)
            case .dataset:
                for attribute in (try? file.attributeNames(of: child)) ?? [] {
                    _ = try? file.readAttribute(attribute, of: child)
                    _ = try? file.readStringArrayAttribute(attribute, of: child)
                }
                _ = try? file.readDataset(at: child)
            case .other:
                continue
            }
        }
    }

    private static func timeout(for url: URL) -> Double {
        var info = stat()
        let bytes = stat(url.path, &info) == 0 ? Double(info.st_size) : 0
        return baseTimeoutSeconds + bytes / 50e6
    }

    /// "device:inode:size:mtime", or nil when the file cannot be stat'ed (the open then fails anyway).
    private static func fileIdentity(_ url: URL) -> String? {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    private static func probeInChild(_ url: URL, limits: ModelLimits) throws(ModelFormatError) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw .unreadable(file: url.path, reason: "cannot start the isolated HDF5 check: \(String(cString: strerror(errno)))")
        }
        let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
        let seconds = timeout(for: url)
        fflush(nil)
        let pid = fork()
        if pid == 0 {
            close(readEnd)
            runChild(url, limits: limits, reportingTo: writeEnd)
        }
        close(writeEnd)
        defer { close(readEnd) }
        guard pid > 0 else {
            throw .unreadable(file: url.path, reason: "cannot start the isolated HDF5 check: \(String(cString: strerror(errno)))")
        }
        let message = readMessage(from: readEnd, child: pid, timeoutSeconds: seconds)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard let message else {
            throw .unreadable(file: url.path, reason: "reading the file with libhdf5 did not finish within \(Int(seconds)) s in an isolated check; "
                              + "the file is damaged or built to hang HDF5 readers")
        }
        let signalNumber = status & 0x7F
        if signalNumber != 0 {
            throw .unreadable(file: url.path, reason: "libhdf5 crashed (\(signalName(signalNumber))) reading the file in an isolated "
                              + "check; the file is damaged or built to crash HDF5 readers: write it again with h5py or the framework that made it")
        }
        let exitStatus = (status >> 8) & 0xFF
        guard exitStatus == 0 else {
            // A child that ends without a message did not finish its walk: a crash handler (such as a
            // sanitizer's) turned a fault into an exit status.
            let reason = message.isEmpty
                ? "libhdf5 ended the isolated check abnormally (exit status \(exitStatus)) reading the file; the file is damaged "
                    + "or built to crash HDF5 readers: write it again with h5py or the framework that made it"
                : message
            throw .unreadable(file: url.path, reason: reason)
        }
    }

    /// The child: walk the file, write the error's reason (if any) to `descriptor`, and leave
    /// without running exit handlers or flushing buffers copied from the parent.
    private static func runChild(_ url: URL, limits: ModelLimits, reportingTo descriptor: Int32) -> Never {
        for signalNumber in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] { signal(signalNumber, SIG_DFL) }
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 { dup2(null, STDERR_FILENO) }
        do {
            try walk(url, limits: limits)
            _exit(0)
        } catch {
            let reason: String
            switch error {
            case let .unreadable(_, text), let .malformed(_, text), let .unsupportedFormat(_, text), let .writeFailed(_, text):
                reason = text
            default:
                reason = error.description
            }
            let bytes = Array(reason.utf8.prefix(4_000))
            _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            _exit(1)
        }
    }

    /// Everything the child writes before it closes the pipe (by exiting), or nil when it is still
    /// running after `timeoutSeconds` (it is then killed).
    private static func readMessage(from descriptor: Int32, child: pid_t, timeoutSeconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                kill(child, SIGKILL)
                return nil
            }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining, 1) * 1_000) + 1)
            if ready < 0 && errno != EINTR { break }
            guard ready > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer.prefix(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func signalName(_ number: Int32) -> String {
        let names: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGABRT: "SIGABRT", SIGILL: "SIGILL",
                                      SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGTRAP: "SIGTRAP"]
        return "signal \(number)" + (names[number].map { ", \($0)" } ?? "")
    }
}

/// A value guarded by a lock.
final class LockedState<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
