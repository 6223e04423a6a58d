import ArgumentParser

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure latency and peak memory of a model.")
    @Argument(help: "The model file.") var model: String
    @Option(help: "Timed runs.") var iterations = 50
    @Option(help: "Warm-up runs.") var warmup = 5
    @Option(help: "Threads.") var threads = 1
    @Flag(help: "Print JSON.") var json = false
    func run() throws { throw CommandFailure.notAvailable("bench") }
}
