/// Optimizer steps of the `ai.onnx.preview.training` domain.
enum TrainingKernels {
    static let all: [any Kernel.Type] = [
        Adagrad_1.self, Momentum_1.self, Adam_1.self,
    ]
}
