import Foundation

/// A user's command line run by `/bin/sh -c` with its output captured to a log file, stopped
/// (with everything it started) at a deadline: external paths and golden-output commands.
public struct ShellCommand: Sendable {
    public var command: String
    /// Where standard output and standard error go.
    public var log: URL
    public var deadline: Date?

    public init(_ command: String, log: URL, deadline: Date? = nil) {
        self.command = command
        self.log = log
        self.deadline = deadline
    }

    /// How the command ended.
    public struct Outcome: Sendable {
        /// True when it exited by itself with status 0.
        public var succeeded: Bool
        public var status: Int32
        public var timedOut: Bool
        public var seconds: Double
        /// Its last lines of output, joined by " | ".
        public var tail: String
    }

    /// Runs the command to its end or the deadline; standard input is empty.
    public func run() throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let started = Date()
        try process.run()
        var timedOut = false
        while process.isRunning {
            if let deadline, Date() >= deadline {
                // The command runs in its own process group: stop it and whatever it started.
                kill(-process.processIdentifier, SIGKILL)
                kill(process.processIdentifier, SIGKILL)
                timedOut = true
                break
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        process.waitUntilExit()
        try? handle.close()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return Outcome(succeeded: !timedOut && process.terminationReason == .exit && process.terminationStatus == 0,
                       status: process.terminationStatus, timedOut: timedOut, seconds: Date().timeIntervalSince(started),
                       tail: text.split(separator: "\n").suffix(5).joined(separator: " | "))
    }
}
