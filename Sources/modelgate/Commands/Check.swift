import ArgumentParser

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a model's validity and lint it.")
    @Argument(help: "The model file.") var model: String
    @Flag(help: "Print JSON.") var json = false
    func run() throws { throw CommandFailure.notAvailable("check") }
}
