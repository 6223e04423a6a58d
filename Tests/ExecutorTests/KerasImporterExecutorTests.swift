import Executor
import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// The Keras 3 and KerasHub layers the importer maps, converted and run on ModelGate's reference
/// executor against Keras's golden outputs (`Tests/Fixtures/keras_ops/`), within the tolerance the
/// ONNX Runtime cross-check of `KerasImporterTests` uses.
final class KerasImporterExecutorTests: XCTestCase {
    static let rtol: Float = 1e-4
    static let atol: Float = 1e-5
    static let cases = ["core_identity_aliases", "einsum_dense", "rms_normalization", "adaptive_pooling", "reversible_embedding",
                        "grouped_query_attention", "rnn_cells", "category_encoding_discretization", "spectral_normalization_auto_contrast",
                        "hub_position_embeddings", "hub_transformer_encoder", "hub_transformer_decoder", "hub_gpt2_functional",
                        "hub_bert_functional", "hub_gpt2_any_length", "hub_position_any_length"]

    func testKeras3AndKerasHubLayersMatchKerasOnTheReferenceExecutor() throws {
        var compared = 0
        for name in Self.cases {
            let folder = FixturePaths.fixture("keras_ops/\(name)")
            for format in ["h5", "keras"] {
                let label = "\(name)/\(format)"
                let model = try KerasModelFile.load(folder.appendingPathComponent("model.\(format)"))
                let golden = try HDF5File(reading: folder.appendingPathComponent("golden.h5"))
                defer { try? golden.close() }
                let inputNames = try golden.members(of: "inputs").map(\.name)
                var feeds: [String: Tensor] = [:]
                for input in model.graph.inputs {
                    let dataset = inputNames.count == 1 ? inputNames[0] : input.name
                    feeds[input.name] = try golden.readDataset(at: "inputs/\(dataset)")
                }
                let result = try Evaluator(model: model).run(tensors: feeds)
                let outputNames = try golden.members(of: "outputs").map(\.name)
                XCTAssertEqual(result.outputs.count, outputNames.count, label)
                for output in result.outputs {
                    let dataset = outputNames.count == 1 ? outputNames[0] : output.name
                    let expected = try golden.readDataset(at: "outputs/\(dataset)")
                    let actual = try XCTUnwrap(output.value.tensor, "\(label): \(output.name) is not a tensor")
                    XCTAssertEqual(actual.shape, expected.shape, "\(label): \(output.name) shape")
                    let got = try actual.floatValues(), want = try expected.floatValues()
                    guard got.count == want.count else { continue }
                    let worst = zip(got, want).map { abs($0 - $1) - Self.rtol * abs($1) }.max() ?? 0
                    XCTAssertLessThanOrEqual(worst, Self.atol, "\(label): \(output.name) differs from Keras")
                    compared += 1
                }
            }
        }
        XCTAssertEqual(compared, 130, "the 65 outputs of the 16 cases, in both formats")
    }
}
