import ModelIR

/// LOCAL_RESPONSE_NORMALIZATION over the channels of an NHWC tensor, as ONNX LRN on NCHW.
extension TFLiteGraphBuilder {
    /// LOCAL_RESPONSE_NORMALIZATION (`radius`, `bias`, `alpha`, `beta`): x / (bias + alpha · Σ x²)^beta,
    /// the sum over the channels within `radius` of each (the window TFLite's optimized kernel,
    /// the one its interpreter runs, sums). ONNX LRN divides its alpha by the window size
    /// 2·radius + 1, so it gets alpha times that size.
    func convertLocalResponseNormalization(_ op: TFLiteOperator) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        guard try rank(inputIndex) == 4 else { throw unsupported("input must have rank 4 (NHWC), not \(try rank(inputIndex))") }
        let radius = Int(try op.options?.int32(0, "radius") ?? 0)
        guard radius >= 0 else { throw malformed("radius \(radius) is negative") }
        let bias = try op.options?.float(1, "bias") ?? 0
        let alpha = try op.options?.float(2, "alpha") ?? 0
        let beta = try op.options?.float(3, "beta") ?? 0
        let size = 2 * radius + 1
        let attributes: [Attribute] = [.int("size", size), .float("alpha", alpha * Float(size)), .float("beta", beta), .float("bias", bias)]
        let normalized = self.op("LRN", [channelsFirst(try value(inputIndex), rank: 4)], attributes, hint: hint(output))
        try setOutput(output, channelsLast(normalized, rank: 4))
    }
}
