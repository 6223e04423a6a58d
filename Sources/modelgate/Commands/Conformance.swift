import ArgumentParser

struct Conformance: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run ONNX backend-style test cases.")
    @Argument(help: "A folder of cases (*/model.onnx + test_data_set_N).") var directory: String
    @Option(help: "Write a JSON report here.") var report: String?
    func run() throws { throw CommandFailure.notAvailable("conformance") }
}
