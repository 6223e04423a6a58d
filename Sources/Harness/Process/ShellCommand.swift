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
        let process = try WorkerProcess(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", command],
                                        standardOutput: log, standardError: log)
        var timedOut = false
        while process.isRunning {
            if let deadline, Date() >= deadline {
                process.signal(SIGKILL)
                timedOut = true
                break
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        process.wait()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return Outcome(succeeded: !timedOut && process.succeeded, status: process.status, timedOut: timedOut,
                       seconds: process.seconds, tail: text.split(separator: "\n").suffix(5).joined(separator: " | "))
    }
}
