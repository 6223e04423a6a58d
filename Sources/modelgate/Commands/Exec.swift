import ArgumentParser

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a model on the reference executor.")
    @Argument(help: "The model file.") var model: String
    @Option(help: "Inputs (HDF5 or .pb).") var inputs: String
    @Option(help: "Where to write outputs (HDF5 or .pb).") var outputs: String
    func run() throws { throw CommandFailure.notAvailable("exec") }
}
