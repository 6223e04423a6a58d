import ArgumentParser

struct Optimize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply one built-in path to a model.")
    @Argument(help: "The source model.") var input: String
    @Argument(help: "The ONNX file to write.") var output: String
    @Option(help: "The path, e.g. fused, fp16, int8-static.") var path: String
    @Option(help: "Calibration data (HDF5).") var calibration: String?
    func run() throws { throw CommandFailure.notAvailable("optimize") }
}
