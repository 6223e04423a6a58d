import ArgumentParser
import Foundation
import GraphChecker
import Harness
import ModelFormats
import ModelIR
import Passes
import Reports

struct Optimize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply one built-in path to a model.",
        discussion: """
            Paths: fp32, fused, fp16, int8-dynamic, int8-static, int8-auto, prune-<N>, prune-channels-<N>, and \
            compositions such as fused+int8-static. int8-static and int8-auto calibrate on --calibration, else \
            calibration.h5 or golden.h5 beside the model. int8-auto keeps the most sensitive nodes in float until the \
            quantized model meets its gates on those samples against the float model: min_cosine (default 0.99), \
            max_accuracy_loss (default 0.01, needs a labels dataset), any corpus.yml threshold key, and \
            max_float_fraction (default 0.25). Options (--option key=value, repeatable) tune the passes, e.g. \
            calibration_method=entropy, percentile=99.99, activation_type=uint8, exclude_nodes=a,b, \
            fp16_block_ops_add=Softmax, prune_scope=global, sensitivity=true (the per-node table on int8-static), \
            upgrade_opset=false (int8 of an opset 7–12 model at its own opset, with per-tensor weights, instead of \
            converting it to opset 13 first).
            """)
    @Argument(help: "The source model.") var input: String
    @Argument(help: "The ONNX file to write.") var output: String
    @Option(help: "The path, e.g. fused, fp16, int8-static, fused+int8-static.") var path: String
    @Option(help: "Calibration data (HDF5 with an inputs/ group).") var calibration: String?
    @Option(name: .customLong("option"), help: "A pass option key=value (repeatable).") var options: [String] = []

    func validate() throws {
        do {
            _ = try OptimizationPath(parsing: path)
            _ = try PassOptions(parsing: options)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let optimizationPath = try CommandFailure.reporting { try OptimizationPath(parsing: path) }
        let passOptions = try CommandFailure.reporting { try PassOptions(parsing: options) }
        let inputURL = URL(fileURLWithPath: input)
        let outputURL = URL(fileURLWithPath: output)
        let model = try CommandFailure.reporting { try ModelLoader.load(inputURL) }
        let optimizer = try CommandFailure.reporting {
            try ModelOptimizer.forModelFile(inputURL, path: optimizationPath, options: passOptions, calibration: calibration.map { URL(fileURLWithPath: $0) })
        }
        let (optimized, findings, sensitivity) = try CommandFailure.reporting {
            do { return try optimizer.optimize(model) } catch {
                throw CommandFailure("\(input): path '\(optimizationPath)' failed: \(error)")
            }
        }
        try CommandFailure.reporting { try ONNXModelFile.save(optimized, to: outputURL) }
        let before = (try? FileManager.default.attributesOfItem(atPath: inputURL.path)[.size] as? Int) ?? 0
        let after = (try? FileManager.default.attributesOfItem(atPath: outputURL.path)[.size] as? Int) ?? 0
        let ratio = before > 0 ? String(format: "%.3f", Double(after) / Double(before)) : "?"
        print("\(output): \(optimizationPath) — \(model.graph.nodes.count) → \(optimized.graph.nodes.count) nodes, "
              + "\(before) → \(after) bytes (×\(ratio))")
        for finding in findings {
            print("  \(finding.level.rawValue) [\(finding.code)] \(finding.node.map { "\($0): " } ?? "")\(finding.message)")
        }
        if let sensitivity { print(SensitivityTable.text(sensitivity)) }
        let report = GraphChecker(lint: false).check(optimized)
        if !report.isValid {
            throw CommandFailure("\(output): the optimized model does not pass the checker: "
                                 + report.errors.prefix(3).map(\.message).joined(separator: "; "))
        }
    }
}
