import ModelIR

/// AVERAGE_POOL_2D and MAX_POOL_2D (`Pool2DOptions`): ONNX AveragePool / MaxPool on NCHW.
/// TFLite's SAME average pool divides by the in-bounds count, as ONNX's default `count_include_pad = 0` does.
extension TFLiteGraphBuilder {
    func convertPool2D(_ op: TFLiteOperator, opType: String) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        guard try rank(inputIndex) == 4 else { throw unsupported("input must have rank 4 (NHWC)") }
        guard let table = op.options else { throw malformed("has no Pool2DOptions") }
        let padding = try table.int8(0, "padding")
        let strides = [Int(try table.int32(2, "stride_h", default: 1)), Int(try table.int32(1, "stride_w", default: 1))]
        let kernel = [Int(try table.int32(4, "filter_height")), Int(try table.int32(3, "filter_width"))]
        let activation = try table.int8(5, "fused_activation_function")
        guard (strides + kernel).allSatisfy({ $0 >= 1 }) else { throw malformed("filter \(kernel) and strides \(strides) must be at least 1") }
        let pooled = self.op(opType, [channelsFirst(try value(inputIndex), rank: 4)], [
            .string("auto_pad", padding == 0 ? "SAME_UPPER" : "VALID"),
            .ints("kernel_shape", kernel),
            .ints("strides", strides),
        ], hint: hint(output))
        let activated = try fusedActivation(activation, pooled, hint: hint(output))
        try setOutput(output, channelsLast(activated, rank: 4))
    }
}
