import ArgumentParser
import Foundation
import ModelFormats
import Reports

/// `modelgate`: the command-line front door. Commands parse arguments and call into the library;
/// `main` maps every error to the documented exit codes (0 success, 1 failure or bad input, 2 usage).
@main
struct ModelGate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modelgate",
        abstract: "Validate, convert, optimize and regression-test ML models against golden outputs.",
        version: ReportSchema.toolVersion,
        subcommands: [
            Init.self, Add.self, Run.self, Check.self, Convert.self, Optimize.self, Exec.self, Golden.self,
            Conformance.self, Bench.self, Diff.self, Merge.self, Inspect.self, ConformanceWorkerCommand.self, RunCell.self,
        ])

    static func main() {
        do {
            var command = try parseAsRoot()
            HDF5Probe.isEnabled = true
            try command.run()
        } catch let exit as ExitCode {
            // A verdict already printed (such as `diff` finding regressions): exit quietly.
            Foundation.exit(exit.rawValue)
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if code.rawValue == 64 || code == .validationFailure {
                FileHandle.standardError.write(Data("\(message)\n".utf8))
                Foundation.exit(CommandFailure.usage)
            }
            FileHandle.standardError.write(Data("error: \(message.isEmpty ? String(describing: error) : message)\n".utf8))
            Foundation.exit(1)
        }
    }
}

/// An error a command reports with a one-line message and an exit code.
struct CommandFailure: Error {
    static let failed: Int32 = 1
    static let usage: Int32 = 2

    var message: String
    var exitCode: Int32

    init(_ message: String, exitCode: Int32 = CommandFailure.failed) {
        self.message = message
        self.exitCode = exitCode
    }

    /// The failure of a command whose issue has not landed yet.
    static func notAvailable(_ command: String) -> CommandFailure {
        CommandFailure("'modelgate \(command)' is not available yet in this version of ModelGate", exitCode: usage)
    }
}

extension CommandFailure {
    /// Runs `body`, turning any library error into a failure with exit code 1 and its description.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(String(describing: error))
        }
    }
}
