/// The `ai.onnx.preview.training` domain: optimizer steps and `Gradient`.
enum TrainingKernels {
    static let all: [any Kernel.Type] = [
        Adagrad_1.self, Momentum_1.self, Adam_1.self, Gradient_1.self,
    ]
}
