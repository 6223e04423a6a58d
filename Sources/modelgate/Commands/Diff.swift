import ArgumentParser

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Compare two report.json files.")
    @Argument(help: "The older report.") var old: String
    @Argument(help: "The newer report.") var new: String
    func run() throws { throw CommandFailure.notAvailable("diff") }
}
