import ModelIR

/// STRIDED_SLICE, SLICE, REVERSE_V2, PAD, PADV2 and MIRROR_PAD with constant bounds, as ONNX
/// Slice (and Squeeze), Pad and Concat.
extension TFLiteGraphBuilder {
    /// STRIDED_SLICE with constant begin, end and strides and the begin, end and shrink-axis
    /// masks (and `offset`); ellipsis and new-axis masks are not imported.
    func convertStridedSlice(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let begins = try requiredInts(try requiredInput(op, 1), "begin")
        let ends = try requiredInts(try requiredInput(op, 2), "end")
        var strides = [Int](repeating: 1, count: begins.count)
        if let index = input(op, 3) { strides = try requiredInts(index, "strides") }
        guard ends.count == begins.count, strides.count == begins.count else {
            throw malformed("begin, end and strides have \(begins.count), \(ends.count) and \(strides.count) values")
        }
        let table = op.options
        let beginMask = Int(try table?.int32(0, "begin_mask") ?? 0)
        let endMask = Int(try table?.int32(1, "end_mask") ?? 0)
        guard try table?.int32(2, "ellipsis_mask") ?? 0 == 0, try table?.int32(3, "new_axis_mask") ?? 0 == 0 else {
            throw unsupported("ellipsis and new-axis masks are not imported")
        }
        let shrinkMask = Int(try table?.int32(4, "shrink_axis_mask") ?? 0)
        let offset = try table?.bool(5, "offset") ?? false
        var starts: [Int] = []
        var stops: [Int] = []
        var steps: [Int] = []
        var squeezed: [Int] = []
        for axis in begins.indices {
            let step = strides[axis]
            guard step != 0 else { throw malformed("stride of axis \(axis) is 0") }
            let bit = 1 << axis
            var start = begins[axis]
            var stop = offset ? begins[axis] &+ ends[axis] : ends[axis]
            if beginMask & bit != 0 { start = step > 0 ? 0 : Int(Int64.max) }
            if endMask & bit != 0 { stop = step > 0 ? Int(Int64.max) : Int(Int64.min) }
            if shrinkMask & bit != 0 {
                start = begins[axis]
                stop = start == -1 ? Int(Int64.max) : start &+ 1
                squeezed.append(axis)
                starts.append(start)
                stops.append(stop)
                steps.append(1)
                continue
            }
            starts.append(start)
            stops.append(stop)
            steps.append(step)
        }
        let inputs = [try value(try requiredInput(op, 0)), try context.int64s(starts), try context.int64s(stops),
                      try context.int64s(Array(begins.indices)), try context.int64s(steps)]
        var result = self.op("Slice", inputs, hint: squeezed.isEmpty ? hint(output) : "\(hint(output))/slice")
        if !squeezed.isEmpty { result = self.op("Squeeze", [result, try context.int64s(squeezed)], hint: hint(output)) }
        try setOutput(output, result)
    }

    /// SLICE with begin and size (size −1: to the end), constant or computed.
    func convertSlice(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let beginIndex = try requiredInput(op, 1)
        let sizeIndex = try requiredInput(op, 2)
        let x = try value(try requiredInput(op, 0))
        if let begins = try constantInts(beginIndex), let sizes = try constantInts(sizeIndex) {
            guard sizes.count == begins.count else { throw malformed("begin and size have \(begins.count) and \(sizes.count) values") }
            let ends = zip(begins, sizes).map { $1 < 0 ? Int(Int64.max) : $0 &+ $1 }
            let inputs = [x, try context.int64s(begins), try context.int64s(ends), try context.int64s(Array(begins.indices))]
            try setOutput(output, self.op("Slice", inputs, hint: hint(output)))
            return
        }
        let int64 = [Attribute.int("to", Int(DataType.int64.rawValue))]
        let begins = self.op("Cast", [try value(beginIndex)], int64, hint: "\(hint(output))/begin")
        let sizes = self.op("Cast", [try value(sizeIndex)], int64, hint: "\(hint(output))/size")
        let sums = self.op("Add", [begins, sizes], hint: "\(hint(output))/end")
        let toEnd = self.op("Less", [sizes, try context.int64s([0])], hint: "\(hint(output))/to_end")
        let ends = self.op("Where", [toEnd, try context.int64s([Int(Int64.max)]), sums], hint: "\(hint(output))/ends")
        try setOutput(output, self.op("Slice", [x, begins, ends], hint: hint(output)))
    }

    /// REVERSE_V2 along the constant axes of input 1: a Slice from the last element backwards.
    /// TFLite's kernel copies the stored integers of a quantized tensor, so an output quantized
    /// differently from the input holds the input's integers read with the output's scale and
    /// zero point; the import does the same (`reinterpretingIntegers`).
    func convertReverse(_ op: TFLiteOperator) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        let rank = try rank(inputIndex)
        let axes = try requiredInts(try requiredInput(op, 1), "axis").map { $0 < 0 ? $0 + rank : $0 }
        guard axes.allSatisfy({ $0 >= 0 && $0 < rank }), Set(axes).count == axes.count else {
            throw malformed("reversed axes \(axes) are outside rank \(rank) or repeat")
        }
        let x = try value(inputIndex)
        guard !axes.isEmpty else { return try setOutput(output, x) }
        let inputs = [x, try context.int64s(axes.map { _ in -1 }), try context.int64s(axes.map { _ in Int(Int64.min) }),
                      try context.int64s(axes), try context.int64s(axes.map { _ in -1 })]
        let reversed = self.op("Slice", inputs, hint: hint(output))
        try setOutput(output, try reinterpretingIntegers(reversed, from: inputIndex, as: output))
    }

    /// PAD and PADV2: constant paddings [rank, 2]; PADV2's input 2 is the pad value (the zero
    /// point's float, 0, for quantized PAD).
    func convertPad(_ op: TFLiteOperator, withValue: Bool) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let paddings = try requiredInts(try requiredInput(op, 1), "paddings")
        guard paddings.count % 2 == 0 else { throw malformed("paddings must have shape [rank, 2]") }
        let begins = stride(from: 0, to: paddings.count, by: 2).map { paddings[$0] }
        let ends = stride(from: 1, to: paddings.count, by: 2).map { paddings[$0] }
        var inputs = [try value(try requiredInput(op, 0)), try context.int64s(begins + ends)]
        if withValue, let padValue = input(op, 2) { inputs.append(try value(padValue)) }
        try setOutput(output, self.op("Pad", inputs, [.string("mode", "constant")], hint: hint(output)))
    }

    /// MIRROR_PAD with constant paddings [rank, 2] (`MirrorPadOptions.mode`): REFLECT (the edge
    /// not repeated) is ONNX Pad's `reflect`; SYMMETRIC (the edge repeated), which ONNX Pad
    /// lacks, concatenates reversed slices of each padded axis's ends.
    func convertMirrorPad(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let paddings = try requiredInts(try requiredInput(op, 1), "paddings")
        guard paddings.count % 2 == 0, paddings.allSatisfy({ $0 >= 0 }) else { throw malformed("paddings \(paddings) must be [rank, 2] non-negative sizes") }
        let begins = stride(from: 0, to: paddings.count, by: 2).map { paddings[$0] }
        let ends = stride(from: 1, to: paddings.count, by: 2).map { paddings[$0] }
        var x = try value(try requiredInput(op, 0))
        guard try op.options?.int8(0, "mode") ?? 0 == 1 else {
            return try setOutput(output, self.op("Pad", [x, try context.int64s(begins + ends)], [.string("mode", "reflect")], hint: hint(output)))
        }
        let minimum = try context.int64s([Int(Int64.min)])
        let backwards = try context.int64s([-1])
        for (axis, (before, after)) in zip(begins, ends).enumerated() where before > 0 || after > 0 {
            let axes = try context.int64s([axis])
            var parts: [String] = []
            if before > 0 {
                parts.append(self.op("Slice", [x, try context.int64s([before - 1]), minimum, axes, backwards], hint: "\(hint(output))/before\(axis)"))
            }
            parts.append(x)
            if after > 0 {
                parts.append(self.op("Slice", [x, backwards, try context.int64s([-after - 1]), axes, backwards], hint: "\(hint(output))/after\(axis)"))
            }
            x = self.op("Concat", parts, [.int("axis", axis)], hint: "\(hint(output))/axis\(axis)")
        }
        try setOutput(output, x)
    }
}
