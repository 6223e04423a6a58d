import ArgumentParser

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every model × path of a corpus and write reports.")
    @Option(help: "The corpus folder.") var corpus = "Golden"
    @Option(help: "The report folder (default Reports/<run-id>).") var out: String?
    @Option(help: "Comma-separated paths to run.") var paths: String?
    @Option(help: "A report.json to compare against.") var baseline: String?
    @Option(help: "Run shard k of n, as k/n.") var shard: String?
    @Option(help: "Cells run in parallel.") var jobs: Int?
    func run() throws { throw CommandFailure.notAvailable("run") }
}
