import ArgumentParser
import Foundation
import Reports

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two report.json files.",
        discussion: """
            Regressions: new failures, accuracy loss worse by more than 0.5 points, size up by more than \
            1 %, and with --latency latency p50 up by more than 10 %. Exit 1 on regressions, 0 otherwise, \
            2 when a report cannot be read or the reports cover different corpora.
            """)

    @Argument(help: "The older report (report.json or its folder).") var old: String
    @Argument(help: "The newer report (report.json or its folder).") var new: String
    @Flag(help: "Count latency p50 increases as regressions.") var latency = false
    @Option(help: "Accuracy-loss increase, in points, that counts as a regression.") var accuracyPoints = 0.5
    @Option(help: "Size increase, in percent, that counts as a regression.") var sizePercent = 1.0
    @Option(help: "Latency p50 increase, in percent, that counts as a regression (with --latency).") var latencyPercent = 10.0
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        for (name, value) in [("--accuracy-points", accuracyPoints), ("--size-percent", sizePercent), ("--latency-percent", latencyPercent)]
        where !(value >= 0) || !value.isFinite {
            throw ValidationError("\(name) must be a non-negative number")
        }
    }

    func run() throws {
        let diff: ReportDiff
        do {
            let before = try Report.load(URL(fileURLWithPath: old))
            let after = try Report.load(URL(fileURLWithPath: new))
            diff = try ReportDiff(old: before, new: after, oldName: old, newName: new,
                                  options: .init(accuracyPoints: accuracyPoints, sizePercent: sizePercent,
                                                 latencyPercent: latencyPercent, latency: latency))
        } catch {
            throw CommandFailure(error.description, exitCode: CommandFailure.usage)
        }
        if json {
            FileHandle.standardOutput.write(try CommandFailure.reporting { try diff.jsonData() })
        } else {
            print(diff.text, terminator: "")
        }
        if diff.hasRegressions { throw ExitCode(CommandFailure.failed) }
    }
}
