/// Elementwise arithmetic, unary math functions and matrix products.
enum MathKernels {
    static let all: [any Kernel.Type] = [
        Add_1.self, Add_7.self, Sub_1.self, Sub_7.self, Mul_1.self, Mul_7.self, Div_1.self, Div_7.self,
        Pow_1.self, Pow_7.self, Mod_10.self,
        Sum_1.self, Max_1.self, Min_1.self, Mean_1.self,
        Abs_1.self, Neg_1.self, Sign_9.self, Reciprocal_1.self, Floor_1.self, Ceil_1.self, Round_11.self,
        Sqrt_1.self, Exp_1.self, Log_1.self, Erf_9.self,
        Sin_7.self, Cos_7.self, Tan_7.self, Asin_7.self, Acos_7.self, Atan_7.self,
        Sinh_9.self, Cosh_9.self, Asinh_9.self, Acosh_9.self, Atanh_9.self,
        Clip_1.self, Clip_11.self,
        MatMul_1.self, Gemm_1.self, Einsum_12.self, Det_11.self,
    ]
}
