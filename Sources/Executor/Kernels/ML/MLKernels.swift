/// Operators of the `ai.onnx.ml` domain.
enum MLKernels {
    static let all: [any Kernel.Type] = [
        LabelEncoder_2.self, Binarizer_1.self, ArrayFeatureExtractor_1.self, TreeEnsemble_5.self,
    ]
}
