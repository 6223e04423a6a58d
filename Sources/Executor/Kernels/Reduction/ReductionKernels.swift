/// Reductions over axes and arg-reductions.
enum ReductionKernels {
    static let all: [any Kernel.Type] = [
        ReduceSum_1.self, ReduceSum_13.self, ReduceMean_1.self, ReduceMean_18.self, ReduceMax_1.self, ReduceMax_18.self,
        ReduceMin_1.self, ReduceMin_18.self, ReduceProd_1.self, ReduceProd_18.self, ReduceL1_1.self, ReduceL1_18.self,
        ReduceL2_1.self, ReduceL2_18.self, ReduceLogSum_1.self, ReduceLogSum_18.self,
        ReduceLogSumExp_1.self, ReduceLogSumExp_18.self, ReduceSumSquare_1.self, ReduceSumSquare_18.self,
        ArgMax_1.self, ArgMin_1.self,
    ]
}
