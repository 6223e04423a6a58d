/// Transformer attention operators.
enum AttentionKernels {
    static let all: [any Kernel.Type] = [
        Attention_23.self, RotaryEmbedding_23.self, LinearAttention_27.self, FlexAttention_1.self,
    ]
}
