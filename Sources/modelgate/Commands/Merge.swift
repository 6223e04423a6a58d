import ArgumentParser
import Foundation
import Reports

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the reports of sharded runs.",
        discussion: """
            Combines the report.json files of `run --shard k/n` into one report and writes report.json, \
            report.html, junit.xml and summary.md into --out. Refuses reports of different corpora or \
            plans, and overlapping shards (exit 2).
            """)

    @Argument(help: "report.json files (or their folders).") var reports: [String]
    @Option(help: "Output folder.") var out: String

    func validate() throws {
        guard !reports.isEmpty else { throw ValidationError("give at least one report.json") }
    }

    func run() throws {
        let merged: Report
        do {
            let loaded = try reports.map { (path) throws(ReportError) -> Report in try Report.load(URL(fileURLWithPath: path)) }
            merged = try Report.merged(loaded, names: reports)
        } catch {
            throw CommandFailure(error.description, exitCode: CommandFailure.usage)
        }
        let folder = URL(fileURLWithPath: out)
        _ = try CommandFailure.reporting { try ReportWriter.write(merged, to: folder) }
        let s = merged.summary
        print("merged \(reports.count) report\(reports.count == 1 ? "" : "s") into \(folder.path): "
              + "\(s.cells) cells, \(s.passed) passed, \(s.failed) failed, \(s.errors) error\(s.errors == 1 ? "" : "s")"
              + (merged.metadata.incomplete ? " (incomplete: \(merged.metadata.plannedCells) planned)" : ""))
    }
}
