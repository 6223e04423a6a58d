import ArgumentParser

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Merge the reports of sharded runs.")
    @Argument(help: "report.json files.") var reports: [String]
    @Option(help: "Output folder.") var out: String
    func run() throws { throw CommandFailure.notAvailable("merge") }
}
