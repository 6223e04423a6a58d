import CQuantizedKernels
import ModelIR

/// The common case of QuantizeLinear and DequantizeLinear, computed in `Float` without
/// intermediate arrays: float scales per tensor or per axis (no blocks) and an optional integer
/// zero point laid out like the scale. The results equal the general kernels' bit for bit: the
/// float division and multiplication round once, as the general path's double arithmetic rounded
/// to float does.
struct FloatQuantizationLayout {
    let scales: [Float]
    let zeroPoints: [Float]
    /// Elements per step along the axis (1 per tensor).
    let inner: Int

    /// Nil when the inputs are outside the common case (then the general kernel runs).
    init?(_ x: Tensor, scale: Tensor, zeroPoint: Tensor?, axis: Int, blockSize: Int) throws {
        guard blockSize == 0, scale.dataType == .float, zeroPoint.map({ $0.elementCount == scale.elementCount && !$0.dataType.isFloatingPoint }) ?? true
        else { return nil }
        if scale.elementCount == 1 {
            inner = max(x.elementCount, 1)
        } else {
            let resolved = try normalizedAxis(axis, rank: x.rank)
            guard scale.rank == 1, x.shape[resolved] == scale.elementCount else { return nil }
            inner = max(x.shape[(resolved + 1)...].reduce(1, *), 1)
        }
        scales = try scale.floatValues()
        zeroPoints = try zeroPoint?.int64Values().map { Float($0) } ?? [Float](repeating: 0, count: scales.count)
    }

    /// `saturate(round_half_even(x / scale) + zero_point)` as `type` (int8 or uint8) from a float `x`;
    /// NaN gives 0, as the general kernel's conversion does. Each run of `inner` elements goes
    /// through the vectorized `mg_quantize_f32` with its channel's parameters.
    func quantize(_ x: Tensor, to type: DataType) throws -> Tensor {
        guard x.dataType == .float else { throw KernelError.unsupportedType("expected float, got \(x.dataType)") }
        return try x.withElements(Float.self) { values in
            try Tensor.overwrittenBytes(type, shape: x.shape) { raw in
                guard let source = values.baseAddress, let target = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                forEachRun(count: values.count) { start, count, channel in
                    mg_quantize_f32(source + start, count, scales[channel], Int32(zeroPoints[channel]), type == .int8 ? 1 : 0, target + start)
                }
            }
        }
    }

    /// `(x − zero_point) · scale` as float from an int8, uint8 (vectorized, `mg_dequantize_8`) or int32 `x`.
    func dequantize(_ x: Tensor) throws -> Tensor {
        switch x.dataType {
        case .int8, .uint8:
            return try x.withUnsafeBytes { raw in
                try Tensor.overwritten(Float.self, shape: x.shape) { out in
                    guard let source = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), let target = out.baseAddress else { return }
                    forEachRun(count: out.count) { start, count, channel in
                        mg_dequantize_8(source + start, count, x.dataType == .int8 ? 1 : 0, Int32(zeroPoints[channel]), scales[channel], target + start)
                    }
                }
            }
        case .int32:
            return try x.withElements(Int32.self) { values in
                try Tensor.overwritten(Float.self, shape: x.shape) { out in
                    forEachRun(count: values.count) { start, count, channel in
                        for index in start..<(start + count) { out[index] = (Float(values[index]) - zeroPoints[channel]) * scales[channel] }
                    }
                }
            }
        default:
            throw KernelError.unsupportedType("expected int8, uint8 or int32, got \(x.dataType)")
        }
    }

    /// Calls `body(start, count, channel)` for each run of elements that share one scale.
    private func forEachRun(count total: Int, _ body: (Int, Int, Int) -> Void) {
        var start = 0
        while start < total {
            body(start, min(inner, total - start), (start / inner) % scales.count)
            start += inner
        }
    }
}
