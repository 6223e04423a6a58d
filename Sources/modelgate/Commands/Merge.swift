import ArgumentParser
import Foundation
import Reports

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the reports of sharded runs.",
        discussion: """
            Combines the report.json files of `run --shard k/n` into one report and writes report.json, \
            report.html, junit.xml and summary.md into --out. Refuses reports of different corpora or \
            plans, overlapping shards, and a run with shards missing unless --allow-partial (exit 2).
            """)

    @Argument(help: "report.json files, their folders, or a folder with the shards' report folders anywhere below it.") var reports: [String]
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Merge even when some shards of the run are missing; the report is marked incomplete.") var allowPartial = false

    func validate() throws {
        guard !reports.isEmpty else { throw ValidationError("give at least one report.json") }
    }

    func run() throws {
        let merged: Report
        do {
            let files = Self.reportFiles(reports)
            let loaded = try files.map { (path) throws(ReportError) -> Report in try Report.load(URL(fileURLWithPath: path)) }
            merged = try Report.merged(loaded, names: files, allowPartial: allowPartial)
        } catch {
            throw CommandFailure(error.description, exitCode: CommandFailure.usage)
        }
        let folder = URL(fileURLWithPath: out)
        _ = try CommandFailure.reporting { try ReportWriter.write(merged, to: folder) }
        let s = merged.summary
        let count = Self.reportFiles(reports).count
        print("merged \(count) report\(count == 1 ? "" : "s") into \(folder.path): "
              + "\(s.cells) cells, \(s.passed) passed, \(s.failed) failed, \(s.errors) error\(s.errors == 1 ? "" : "s")"
              + (merged.metadata.incomplete ? " (incomplete: \(merged.metadata.plannedCells) planned)" : ""))
    }

    /// `paths` with every folder that holds no report.json replaced by the report.json files
    /// below it at any depth (the shards' report folders, wherever the engine put them), in path order.
    static func reportFiles(_ paths: [String]) -> [String] {
        let files = FileManager.default
        return paths.flatMap { path -> [String] in
            var isFolder: ObjCBool = false
            guard files.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue,
                  !files.fileExists(atPath: (path as NSString).appendingPathComponent("report.json")),
                  let below = try? files.subpathsOfDirectory(atPath: path) else { return [path] }
            let found = below.filter { ($0 as NSString).lastPathComponent == "report.json" }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            return found.isEmpty ? [path] : found
        }
    }
}
