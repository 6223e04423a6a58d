/// Linear quantization and dequantization.
enum QuantizationKernels {
    static let all: [any Kernel.Type] = [
        QuantizeLinear_10.self, DequantizeLinear_10.self, DynamicQuantizeLinear_11.self,
        MatMulInteger_10.self, QLinearMatMul_10.self, ConvInteger_10.self, QLinearConv_10.self,
    ]
}
