/// Convolution, pooling, normalization and regularization layers.
enum NNKernels {
    static let all: [any Kernel.Type] = [
        Conv_1.self, ConvTranspose_1.self, Resize_10.self, Resize_11.self, Upsample_7.self, MaxPool_1.self, MaxPool_8.self, MaxPool_10.self, AveragePool_1.self, AveragePool_7.self, AveragePool_19.self,
        GlobalAveragePool_1.self, GlobalMaxPool_1.self, LpPool_2.self, GlobalLpPool_2.self,
        BatchNormalization_1.self, BatchNormalization_7.self, BatchNormalization_14.self,
        InstanceNormalization_1.self, LayerNormalization_17.self, LRN_1.self,
        NonMaxSuppression_10.self, MaxUnpool_9.self, GridSample_16.self, AffineGrid_20.self, CausalConvWithState_27.self, RoiAlign_10.self, MaxRoiPool_1.self, DeformConv_19.self, Col2Im_18.self,
        Dropout_1.self, Dropout_12.self, NegativeLogLikelihoodLoss_12.self, SoftmaxCrossEntropyLoss_12.self,
        RMSNormalization_23.self, GroupNormalization_18.self, MeanVarianceNormalization_9.self, LpNormalization_1.self,
    ]
}
