/// Elementwise activations and the softmax family.
enum ActivationKernels {
    static let all: [any Kernel.Type] = [
        Relu_1.self, LeakyRelu_1.self, Elu_1.self, Selu_1.self, Celu_12.self, ThresholdedRelu_10.self,
        Sigmoid_1.self, HardSigmoid_1.self, HardSwish_14.self, Tanh_1.self, Softplus_1.self, Softsign_1.self,
        Mish_18.self, Swish_24.self, SwiGLU_26.self, Gelu_20.self, Shrink_9.self, PRelu_1.self,
        Softmax_1.self, Softmax_13.self, LogSoftmax_1.self, LogSoftmax_13.self, Hardmax_1.self, Hardmax_13.self,
    ]
}
