import ArgumentParser

struct Golden: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record golden outputs from the reference executor.")
    @Argument(help: "The model file.") var model: String
    @Option(help: "Inputs (HDF5).") var inputs: String
    @Flag(help: "Write golden.h5, replacing an existing one.") var record = false
    func run() throws { throw CommandFailure.notAvailable("golden") }
}
