import Foundation

/// Keeps the input being processed so that, if the process dies by a signal, the input is
/// written to a file before the process ends: the crash becomes a reproducible regression input.
enum CrashRecorder {
    nonisolated(unsafe) private static var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    nonisolated(unsafe) private static var count = 0
    nonisolated(unsafe) private static var capacity = 1
    nonisolated(unsafe) private static var path: UnsafeMutablePointer<CChar>?

    /// Installs handlers for the signals a Swift trap or a memory fault raises.
    static func install(writingTo url: URL) {
        path = strdup(url.path)
        for signalNumber in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            signal(signalNumber, handleCrash)
        }
    }

    /// Records `bytes` as the current input.
    static func record(_ bytes: [UInt8]) {
        if bytes.count > capacity {
            buffer.deallocate()
            capacity = bytes.count
            buffer = .allocate(capacity: capacity)
        }
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { buffer.update(from: base, count: bytes.count) }
        }
        count = bytes.count
    }

    private static let handleCrash: @convention(c) (Int32) -> Void = { signalNumber in
        if let path = CrashRecorder.path {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if descriptor >= 0 {
                _ = write(descriptor, CrashRecorder.buffer, CrashRecorder.count)
                close(descriptor)
            }
        }
        signal(signalNumber, SIG_DFL)
        raise(signalNumber)
    }
}
