/// Creating, reshaping, reordering and converting tensors.
enum TensorKernels {
    static let all: [any Kernel.Type] = [
        Identity_1.self, Constant_1.self, ConstantOfShape_9.self, Shape_1.self, Shape_15.self, Size_1.self,
        Reshape_1.self, Reshape_5.self, Flatten_1.self, Transpose_1.self, Concat_1.self, Concat_4.self,
        Squeeze_1.self, Squeeze_13.self, Unsqueeze_1.self, Unsqueeze_13.self,
        Slice_1.self, Slice_10.self, Gather_1.self, Expand_8.self, Tile_6.self, Range_11.self,
        Split_1.self, Split_13.self, Split_18.self, Pad_2.self, Pad_11.self, Pad_18.self,
        Cast_1.self, CastLike_15.self, Where_9.self,
        GatherElements_11.self, GatherND_11.self, ScatterElements_11.self, Scatter_9.self, ScatterND_11.self,
        Trilu_14.self, EyeLike_9.self, CumSum_11.self, CumProd_26.self, OneHot_9.self, TopK_1.self, TopK_10.self,
        BitCast_26.self, CenterCropPad_18.self, Unique_11.self, TensorScatter_24.self, Compress_9.self, NonZero_9.self, ReverseSequence_10.self, DepthToSpace_1.self, SpaceToDepth_1.self,
    ]
}
