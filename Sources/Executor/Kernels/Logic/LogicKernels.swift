/// Comparisons, boolean logic and bitwise operations.
enum LogicKernels {
    static let all: [any Kernel.Type] = [
        Equal_1.self, Less_1.self, Greater_1.self, LessOrEqual_12.self, GreaterOrEqual_12.self,
        And_1.self, Or_1.self, Xor_1.self, Not_1.self, IsNaN_9.self, IsInf_10.self,
        BitShift_11.self, BitwiseAnd_18.self, BitwiseOr_18.self, BitwiseXor_18.self, BitwiseNot_18.self,
    ]
}
