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
                        "sequence_ops", "image_ops", "masked_lstm_while", "lstm_fused", "bilstm_fused"]
    static let all = float + ["cnn_int8"]
}

func floats(_ tensor: Tensor, file: StaticString = #filePath, line: UInt = #line) -> [Float] {
    guard let values = tensor.scalars(as: Float.self) else {
        XCTFail("tensor '\(tensor.name)' is \(tensor.dataType), not float", file: file, line: line)
        return []
    }
    return values
}
