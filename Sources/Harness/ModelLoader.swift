import Foundation
import ModelFormats
import ModelIR

/// The model file formats ModelGate reads, by file extension.
public enum ModelFileFormat: String, Sendable, CaseIterable {
    case onnx, kerasH5 = "h5", keras, tflite

    public init?(url: URL) {
        switch url.pathExtension.lowercased() {
        case "onnx": self = .onnx
        case "h5", "hdf5": self = .kerasH5
        case "keras": self = .keras
        case "tflite": self = .tflite
        default: return nil
        }
    }
}

/// Loads any supported model file into the IR.
public enum ModelLoader {
    /// Reads the model at `url`; Keras models are converted to ONNX for `opset` (default 17), TFLite
    /// models to ONNX opset 17.
    public static func load(_ url: URL, limits: ModelLimits = .default, opset: Int? = nil) throws(ModelFormatError) -> Model {
        guard let format = ModelFileFormat(url: url) else {
            throw .unsupportedFormat(file: url.path,
                                     reason: "unknown model extension '.\(url.pathExtension)'; ModelGate reads .onnx, .h5, .keras and .tflite files")
        }
        switch format {
        case .onnx:
            return try ONNXModelFile.load(url, limits: limits)
        case .kerasH5, .keras:
            return try KerasModelFile.load(url, options: KerasImportOptions(opset: opset ?? KerasModelFile.defaultOpset, limits: limits))
        case .tflite:
            return try TFLiteModelFile.load(url, limits: limits)
        }
    }
}
