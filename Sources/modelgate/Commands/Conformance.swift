import ArgumentParser
import Foundation
import Harness
import ModelFormats

struct Conformance: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run ONNX backend-style test cases.",
        discussion: """
            Finds every folder under DIR with a model.onnx and test_data_set_N folders, runs each data set \
            on the reference executor and compares the outputs (rtol 1e-3, atol 1e-7; integers, bools and \
            strings exactly). Prints passed/total per operator and ends with 'N passed, M failed'. \
            Cases run in worker processes, so a crash or hang fails only its case.
            """)

    @Argument(help: "A folder of cases (*/model.onnx + test_data_set_N).") var directory: String
    @Option(help: "Write a JSON report here.") var report: String?
    @Flag(help: "Print the reason of every failure.") var verbose = false
    @Option(help: "Worker processes run in parallel.") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Seconds after which a case is stopped and fails.") var timeout: Double = 120
    @Flag(help: "Run cases in this process (faster to start, but a crash ends the run).") var inProcess = false
    @Option(help: "Relative tolerance.") var rtol = 1e-3
    @Option(help: "Absolute tolerance.") var atol = 1e-7

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("'\(directory)' is not a folder")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() throws {
        let root = URL(fileURLWithPath: directory)
        let cases = ConformanceCase.discover(in: root)
        guard !cases.isEmpty else {
            throw CommandFailure("\(directory): no cases found (folders with model.onnx and test_data_set_N)", exitCode: CommandFailure.usage)
        }
        let comparison = ValueComparison(rtol: rtol, atol: atol)
        let results: [ConformanceResult]
        if inProcess {
            results = cases.map { $0.run(comparison: comparison) }
        } else {
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let (rtol, atol) = (self.rtol, self.atol)
            let runner = IsolatedConformanceRunner(executable: executable, jobs: jobs, caseTimeout: timeout) { list in
                ["conformance-worker", list, "--rtol", "\(rtol)", "--atol", "\(atol)"]
            }
            results = try CommandFailure.reporting { try runner.run(cases) }
        }
        let summary = ConformanceReport(directory: root.path, cases: results)
        if let report {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try CommandFailure.reporting { try AtomicFile.write(try encoder.encode(summary), to: URL(fileURLWithPath: report)) }
        }
        print(summary.text(verbose: verbose))
        if summary.failed > 0 { throw ExitCode(CommandFailure.failed) }
    }
}

/// The worker process of `conformance`: runs the cases listed in a file, one JSON result per line.
struct ConformanceWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conformance-worker", shouldDisplay: false)

    @Argument var list: String
    @Option var rtol = 1e-3
    @Option var atol = 1e-7

    func run() throws {
        try CommandFailure.reporting { try ConformanceWorker.run(listFile: list, comparison: ValueComparison(rtol: rtol, atol: atol)) }
    }
}
