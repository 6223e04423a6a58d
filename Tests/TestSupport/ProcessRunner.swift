import Foundation

/// The result of running a command to completion.
public struct ProcessResult: Sendable {
    public var exitCode: Int32
    public var standardOutput: String
    public var standardError: String
    /// True when the process ended by a signal rather than exiting.
    public var wasSignalled: Bool
}

/// Runs `executable` with `arguments`, collecting its output; a `timeout` kills it and is reported as a signal.
/// `environment` is added to this process's environment (nil values remove a variable).
public func runProcess(_ executable: URL, _ arguments: [String], timeout: TimeInterval = 120,
                       environment: [String: String?] = [:]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if !environment.isEmpty {
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        process.environment = merged
    }
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outputData = LockedData()
    let errorData = LockedData()
    let group = DispatchGroup()
    for (pipe, sink) in [(output, outputData), (error, errorData)] {
        group.enter()
        DispatchQueue.global().async {
            sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(2_000) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    group.wait()
    return ProcessResult(exitCode: process.terminationStatus,
                         standardOutput: String(decoding: outputData.get(), as: UTF8.self),
                         standardError: String(decoding: errorData.get(), as: UTF8.self),
                         wasSignalled: process.terminationReason == .uncaughtSignal)
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// The `modelgate` executable built beside the test bundle.
public var modelgateExecutable: URL {
    let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
    for folder in candidates {
        let url = folder.appendingPathComponent("modelgate")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return FixturePaths.repositoryRoot.appendingPathComponent(".build/debug/modelgate")
}
