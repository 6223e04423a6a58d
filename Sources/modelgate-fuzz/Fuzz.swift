import ArgumentParser
import Foundation
import ModelIR

/// `modelgate-fuzz`: seeded mutation fuzzing of the readers ModelGate points at untrusted files.
///
/// Each iteration damages a seed file and feeds it to a target; an error thrown is the expected
/// answer, a signal is a bug. The input that crashed is written to `--crash-dir` (replay it with
/// `--replay FILE`), to be committed under `Tests/Fixtures/fuzz/` as a regression input.
@main
struct Fuzz: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "modelgate-fuzz",
                                                    abstract: "Fuzz ModelGate's file readers with seeded mutations.")

    @Option(help: "The target: onnx, hdf5, keras, yml or tflite.") var target: String
    @Option(help: "How long to run, in seconds.") var seconds: Double = 60
    @Option(help: "The first seed; iteration i uses seed + i.") var seed: UInt64 = 1
    @Option(help: "Where a crashing input is written.") var crashDirectory = ".cache/fuzz-crashes"
    @Option(help: "Run one input file instead of fuzzing.") var replay: String?
    @Option(help: "The repository root (seed files are found relative to it).") var root = "."

    func run() throws {
        let rootURL = URL(fileURLWithPath: root)
        let scratchFolder = FileManager.default.temporaryDirectory.appendingPathComponent("modelgate-fuzz-\(getpid())")
        try FileManager.default.createDirectory(at: scratchFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratchFolder) }
        let scratch = scratchFolder.appendingPathComponent("input.h5")
        let targets: [any FuzzTarget] = [ONNXTarget(), HDF5Target(scratch: scratch), KerasTarget(scratchFolder: scratchFolder, findingsFolder: URL(fileURLWithPath: crashDirectory).appendingPathComponent("contained")),
                                         YAMLTarget(root: rootURL), TFLiteTarget()]
        guard let fuzzTarget = targets.first(where: { $0.name == target }) else {
            throw ValidationError("unknown target '\(target)'; use one of: \(targets.map(\.name).joined(separator: ", "))")
        }
        if let replay {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: replay)))
            do { try fuzzTarget.run(bytes); print("replay: accepted") } catch { print("replay: refused: \(error)") }
            return
        }
        let seeds = fuzzTarget.seeds(root: rootURL).compactMap { try? [UInt8](Data(contentsOf: $0)) }
        guard !seeds.isEmpty else { throw ValidationError("no seed files for target '\(target)' under \(root)") }
        try FileManager.default.createDirectory(atPath: crashDirectory, withIntermediateDirectories: true)
        CrashRecorder.install(writingTo: URL(fileURLWithPath: crashDirectory).appendingPathComponent("\(target)-crash-\(seed)"))

        let mutator = Mutator()
        let deadline = Date().addingTimeInterval(seconds)
        var iterations = 0
        var refused = 0
        while Date() < deadline {
            var generator = SplitMix64(seed: seed &+ UInt64(iterations))
            let input = mutator.mutate(seeds[Int.random(in: 0..<seeds.count, using: &generator)], using: &generator)
            CrashRecorder.record(input)
            do { try fuzzTarget.run(input) } catch { refused += 1 }
            iterations += 1
        }
        print("\(target): \(iterations) inputs from \(seeds.count) seeds in \(Int(seconds)) s, \(refused) refused with an error, no crash")
    }
}
