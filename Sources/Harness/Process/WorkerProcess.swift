import Foundation

/// A child process with its output going to files, stopped together with whatever it started:
/// the one way ModelGate runs another process (`run`'s cell workers, conformance workers, user
/// commands through `ShellCommand`).
///
/// Standard input is empty. Signals go to the child and to its process group, which a child that
/// leads one (`modelgate run-cell`, `/bin/sh -c`) shares with the commands it started.
public final class WorkerProcess: @unchecked Sendable {
    public let standardOutput: URL
    public let standardError: URL?
    public let started = Date()
    private let process = Process()
    private var handles: [FileHandle] = []

    /// Starts `executable`.
    ///
    /// - Parameters:
    ///   - environment: the child's environment; nil inherits this process's.
    ///   - standardOutput: the file standard output goes to (created empty).
    ///   - standardError: the file standard error goes to: the same file when equal to
    ///     `standardOutput`, nowhere when nil.
    /// - Throws: when a file cannot be opened or the executable cannot be started.
    public init(executable: URL, arguments: [String], environment: [String: String]? = nil,
                standardOutput: URL, standardError: URL?) throws {
        self.standardOutput = standardOutput
        self.standardError = standardError
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        let output = try Self.open(standardOutput)
        handles.append(output)
        process.standardOutput = output
        if let standardError, standardError != standardOutput {
            let errors = try Self.open(standardError)
            handles.append(errors)
            process.standardError = errors
        } else {
            process.standardError = standardError == nil ? FileHandle.nullDevice : output
        }
        try process.run()
    }

    private static func open(_ url: URL) throws -> FileHandle {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return try FileHandle(forWritingTo: url)
    }

    public var isRunning: Bool { process.isRunning }

    /// Seconds since the process started.
    public var seconds: Double { Date().timeIntervalSince(started) }

    /// Sends `signal` to the process and its process group.
    public func signal(_ signal: Int32) {
        let pid = process.processIdentifier
        kill(-pid, signal)
        kill(pid, signal)
    }

    /// Waits for the process to end and closes its files.
    public func wait() {
        process.waitUntilExit()
        for handle in handles { try? handle.close() }
        handles = []
    }

    /// The exit status, or the signal that ended the process; valid after `wait()`.
    public var status: Int32 { process.terminationStatus }

    /// True when the process exited by itself with status 0; valid after `wait()`.
    public var succeeded: Bool { process.terminationReason == .exit && process.terminationStatus == 0 }

    /// "exit status N" or "signal N"; valid after `wait()`.
    public var termination: String {
        process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
    }
}

extension Array {
    /// Removes the elements whose worker process has ended, waits for each of those processes,
    /// and returns the removed elements in their order. A process that ends while this runs is
    /// either removed and returned or left for the next call, never dropped.
    mutating func removeEnded(_ process: (Element) -> WorkerProcess) -> [Element] {
        var ended: [Element] = []
        var running: [Element] = []
        for element in self {
            if process(element).isRunning { running.append(element) } else { ended.append(element) }
        }
        self = running
        for element in ended { process(element).wait() }
        return ended
    }
}
