import ArgumentParser
import Foundation
import Harness

struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add a model file to a corpus, golden outputs included.",
        discussion: """
            Copies MODEL (--link: links it) to <corpus>/<name>/model.<ext>, records golden.h5 and \
            calibration.h5 beside it and adds its entry to <corpus>/corpus.yml (created when missing; the \
            rest of the file is kept as written). Golden inputs are --inputs, or ONNX Model Zoo test data \
            (test_data_set_N/ beside MODEL), or seeded synthetic values from the model's input declarations: \
            the first axis holds --samples samples, a symbolic size takes --dim NAME=VALUE (default 16), \
            floats are uniform in --range (default 0,1), integer indices into an embedding table cover its \
            rows, other integers are uniform in --range (default 0,100). Golden outputs come from the \
            reference executor, or from --golden-command, run by /bin/sh with {model}, {inputs} and \
            {outputs} replaced by file paths (inputs/<name> to read, outputs/<name> to write, HDF5). \
            Nothing that exists is replaced without --record.
            """)

    @Argument(help: "The model file (.onnx, .h5, .keras, .tflite).") var model: String
    @Option(help: "The corpus folder.") var corpus = "."
    @Option(help: "The model's name in the corpus (default: the file's name).") var name: String?
    @Option(help: "Golden inputs: an .h5 file with inputs/<name> datasets or a folder of input_K.pb files.") var inputs: String?
    @Option(help: "Synthetic samples to make.") var samples = 8
    @Option(help: "The seed of the synthetic samples.") var seed: UInt64 = 0
    @Option(help: "LO,HI: the range of synthetic values.") var range: String?
    @Option(name: .customLong("dim"), help: "NAME=VALUE: the size of a symbolic dimension (repeatable).") var dims: [String] = []
    @Option(help: "Where golden outputs come from: reference (the executor) or command.") var goldenFrom = "reference"
    @Option(help: "The golden command, with {model}, {inputs} and {outputs}.") var goldenCommand: String?
    @Option(help: "Labels: an .h5 file with a labels dataset, or a text file of one integer per line.") var labels: String?
    @Option(help: "Calibration data (.h5 with inputs/<name>) to copy as calibration.h5.") var calibration: String?
    @Flag(help: "Link the model file instead of copying it.") var link = false
    @Flag(help: "Replace an existing entry's model, golden and calibration files.") var record = false

    func validate() throws {
        if inputs != nil, range != nil || !dims.isEmpty {
            throw ValidationError("--range and --dim shape synthetic inputs; they do not go with --inputs")
        }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
        _ = try parsedRange()
        _ = try parsedDimensions()
        switch goldenFrom {
        case "reference":
            if goldenCommand != nil { throw ValidationError("--golden-command needs --golden-from command") }
        case "command":
            guard let goldenCommand, goldenCommand.contains("{inputs}"), goldenCommand.contains("{outputs}") else {
                throw ValidationError("--golden-from command needs --golden-command with {inputs} and {outputs} (and usually {model})")
            }
        default:
            throw ValidationError("--golden-from is reference or command, not '\(goldenFrom)'")
        }
    }

    func run() throws {
        let adder = ModelAdder(
            model: URL(fileURLWithPath: model), corpus: URL(fileURLWithPath: corpus), name: name,
            inputs: inputs.map { URL(fileURLWithPath: $0) },
            synthetic: SyntheticInputs(samples: samples, seed: seed, range: try parsedRange(), dimensions: try parsedDimensions()),
            golden: goldenCommand.map(ModelAdder.GoldenSource.command) ?? .reference,
            labels: labels.map { URL(fileURLWithPath: $0) }, calibration: calibration.map { URL(fileURLWithPath: $0) },
            link: link, record: record)
        let added = try CommandFailure.reporting { try adder.add() }
        let shapes = added.inputShapes.keys.sorted().map { "\($0) \(added.inputShapes[$0] ?? [])" }.joined(separator: ", ")
        let golden = added.usesTestDataSets ? "the test_data_set folders" : "golden.h5"
        print("added '\(added.name)' (\(added.source)) to \(corpus)/corpus.yml\(added.createdManifest ? " (new)" : ""); "
              + "golden samples: \(golden), inputs \(shapes)")
    }

    private func parsedRange() throws -> ClosedRange<Double>? {
        guard let range else { return nil }
        let parts = range.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low < high else {
            throw ValidationError("--range takes LO,HI with LO < HI, e.g. --range -1,1; got '\(range)'")
        }
        return low...high
    }

    private func parsedDimensions() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for item in dims {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let value = Int(parts[1]), value >= 1 else {
                throw ValidationError("--dim takes NAME=VALUE with a positive VALUE, e.g. --dim sequence=32; got '\(item)'")
            }
            result[parts[0]] = value
        }
        return result
    }
}
