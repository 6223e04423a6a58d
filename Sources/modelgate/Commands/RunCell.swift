import ArgumentParser
import Foundation
import Harness

/// The worker `run` starts for each cell (not shown in help).
struct RunCell: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-cell", shouldDisplay: false)

    @Argument(help: "The cell's job file (JSON).") var job: String

    func run() throws {
        // Lead a process group, so that `run` stopping this cell also stops the commands it started.
        setpgid(0, 0)
        try CommandFailure.reporting { try CellWorker.run(jobFile: URL(fileURLWithPath: job)) }
    }
}
