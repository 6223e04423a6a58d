import Foundation
import GraphChecker
import ModelFormats

/// ONNX parsing and checking: decode the bytes as a model, then check it, as `modelgate check` does.
struct ONNXTarget: FuzzTarget {
    let name = "onnx"

    func seeds(root: URL) -> [URL] {
        let suite = root.appendingPathComponent(".cache/onnx-suite")
        let cases = ["light/light_squeezenet", "light/light_inception_v1", "node/test_if", "node/test_loop11",
                     "node/test_scan9_sum", "node/test_cast_FLOAT_to_FLOAT8E4M3FN", "node/test_sequence_map_add_2_sequences",
                     "node/test_conv_with_strides_padding", "node/test_gemm_default_single_elem_vector_bias",
                     "node/test_reshape_negative_dim", "node/test_split_variable_parts_1d_opset18"]
        let corpus = (try? FileManager.default.contentsOfDirectory(at: root.appendingPathComponent("Golden"),
                                                                    includingPropertiesForKeys: nil)) ?? []
        return cases.map { suite.appendingPathComponent("\($0)/model.onnx") }
            + corpus.map { $0.appendingPathComponent("model.onnx") }
    }

    func run(_ bytes: [UInt8]) throws {
        let model = try ONNXModelFile.decode(Data(bytes), file: "fuzz.onnx", directory: nil,
                                             limits: ModelLimits(maxTensorBytes: 64 << 20))
        _ = GraphChecker().check(model)
    }
}
