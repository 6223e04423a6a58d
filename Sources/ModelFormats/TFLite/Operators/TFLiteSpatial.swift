import ModelIR

/// Operators that move pixels on NHWC images: RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR,
/// DEPTH_TO_SPACE and SPACE_TO_DEPTH, as ONNX Resize, DepthToSpace (DCR) and SpaceToDepth on
/// NCHW between transposes.
extension TFLiteGraphBuilder {
    /// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR to the [height, width] of input 1
    /// (`align_corners`, `half_pixel_centers`); batch and channels come from the input's run-time
    /// shape unless the file fixes every size. TensorFlow's sampling positions are ONNX's
    /// `align_corners`, `half_pixel` or `asymmetric` coordinates; nearest rounds half up
    /// (`round_prefer_ceil`) except on asymmetric coordinates, where it takes the floor.
    func convertResize(_ op: TFLiteOperator, bilinear: Bool) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        guard try rank(inputIndex) == 4 else { throw unsupported("input must have rank 4 (NHWC)") }
        let slots = bilinear ? (alignCorners: 2, halfPixel: 3) : (alignCorners: 0, halfPixel: 1)
        let alignCorners = try op.options?.bool(slots.alignCorners, "align_corners") ?? false
        let halfPixel = try op.options?.bool(slots.halfPixel, "half_pixel_centers") ?? false
        guard !(alignCorners && halfPixel) else { throw malformed("sets both align_corners and half_pixel_centers") }
        let sizeIndex = try requiredInput(op, 1)
        let x = channelsFirst(try value(inputIndex), rank: 4)
        let constant = try constantInts(sizeIndex)
        if let constant, constant.count != 2 || !constant.allSatisfy({ $0 >= 1 }) {
            throw malformed("size \(constant) is not a [height, width] of positive sizes")
        }
        let shape = try shape(inputIndex)
        let signature = try tensor(inputIndex).shapeSignature ?? []
        let sizes: String
        if let constant, !signature.contains(where: { $0 < 0 }) {
            sizes = try context.int64s([shape[0], shape[3]] + constant)
        } else {
            let spatial: String
            if let constant {
                spatial = try context.int64s(constant)
            } else {
                spatial = self.op("Cast", [try value(sizeIndex)], [.int("to", Int(DataType.int64.rawValue))], hint: "\(hint(output))/size")
            }
            let leading = self.op("Slice", [self.op("Shape", [x], hint: "\(hint(output))/input_shape"), try context.int64s([0]), try context.int64s([2])],
                                  hint: "\(hint(output))/batch_channels")
            sizes = self.op("Concat", [leading, spatial], [.int("axis", 0)], hint: "\(hint(output))/sizes")
        }
        let coordinates = alignCorners ? "align_corners" : halfPixel ? "half_pixel" : "asymmetric"
        var attributes: [Attribute] = [.string("mode", bilinear ? "linear" : "nearest"), .string("coordinate_transformation_mode", coordinates)]
        if !bilinear { attributes.append(.string("nearest_mode", alignCorners || halfPixel ? "round_prefer_ceil" : "floor")) }
        let resized = self.op("Resize", [x, "", "", sizes], attributes, hint: hint(output))
        try setOutput(output, channelsLast(resized, rank: 4))
    }

    /// DEPTH_TO_SPACE and SPACE_TO_DEPTH (`block_size`, options slot 0); TensorFlow's channel
    /// order is ONNX's DCR.
    func convertDepthSpace(_ op: TFLiteOperator, opType: String) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        guard try rank(inputIndex) == 4 else { throw unsupported("input must have rank 4 (NHWC)") }
        let blockSize = Int(try op.options?.int32(0, "block_size") ?? 0)
        guard blockSize >= 1 else { throw malformed("block_size \(blockSize) must be at least 1") }
        var attributes: [Attribute] = [.int("blocksize", blockSize)]
        if opType == "DepthToSpace" { attributes.append(.string("mode", "DCR")) }
        let moved = self.op(opType, [channelsFirst(try value(inputIndex), rank: 4)], attributes, hint: hint(output))
        try setOutput(output, channelsLast(moved, rank: 4))
    }
}
