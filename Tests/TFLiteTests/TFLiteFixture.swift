import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// A fixture of Tests/Fixtures/tflite/ (made by Tools/fixtures/make_tflite_fixtures.py): the
/// model, the inputs it was run on and TensorFlow Lite's interpreter's outputs.
struct TFLiteFixture {
    let name: String
    var modelURL: URL { FixturePaths.fixture("tflite/\(name).tflite") }
    var referenceURL: URL { FixturePaths.fixture("tflite/\(name).h5") }

    func inputs() throws -> [String: Tensor] { try HDF5TensorFile.read(referenceURL, group: "inputs") }
    func outputs() throws -> [String: Tensor] { try HDF5TensorFile.read(referenceURL, group: "outputs") }

    static let float = ["cnn_float", "cnn_fp16", "gru_while", "lstm_sequence", "elementwise", "shapes", "reductions", "matmul",
                        "sequence_ops", "image_ops", "masked_lstm_while", "lstm_fused", "bilstm_fused",
                        "dilated_conv_float", "space_batch_ops", "creation_ops", "gather_scatter_ops", "free_batch_resize", "conv3d"]
    /// Full-integer int8 models whose reference file holds `step_<output>` for every output.
    static let int8 = ["cnn_int8", "dilated_conv_int8", "operators_int8"]
    static let all = float + int8
}

func floats(_ tensor: Tensor, file: StaticString = #filePath, line: UInt = #line) -> [Float] {
    guard let values = tensor.scalars(as: Float.self) else {
        XCTFail("tensor '\(tensor.name)' is \(tensor.dataType), not float", file: file, line: line)
        return []
    }
    return values
}
