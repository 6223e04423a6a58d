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
    /// NaN gives 0, as the general kernel's conversion does.
    func quantize(_ x: Tensor, to type: DataType) throws -> Tensor {
        guard x.dataType == .float else { throw KernelError.unsupportedType("expected float, got \(x.dataType)") }
        let (low, high): (Float, Float) = type == .int8 ? (-128, 127) : (0, 255)
        return try x.withElements(Float.self) { values in
            try Tensor.filledBytes(type, shape: x.shape) { raw in
                let out = raw.bindMemory(to: UInt8.self)
                let channels = scales.count
                for index in values.indices {
                    let channel = channels == 1 ? 0 : (index / inner) % channels
                    var q = min(max((values[index] / scales[channel]).rounded(.toNearestOrEven) + zeroPoints[channel], low), high)
                    if q.isNaN { q = 0 }
                    out[index] = type == .int8 ? UInt8(bitPattern: Int8(q)) : UInt8(q)
                }
            }
        }
    }

    /// `(x − zero_point) · scale` as float from an int8, uint8 or int32 `x`.
    func dequantize(_ x: Tensor) throws -> Tensor {
        try Tensor.filled(Float.self, shape: x.shape) { out in
            func fill<T: TensorScalar & BinaryInteger>(_ type: T.Type) throws {
                try x.withElements(T.self) { values in
                    let channels = scales.count
                    for index in values.indices {
                        let channel = channels == 1 ? 0 : (index / inner) % channels
                        out[index] = (Float(values[index]) - zeroPoints[channel]) * scales[channel]
                    }
                }
            }
            switch x.dataType {
            case .int8: try fill(Int8.self)
            case .uint8: try fill(UInt8.self)
            case .int32: try fill(Int32.self)
            default: throw KernelError.unsupportedType("expected int8, uint8 or int32, got \(x.dataType)")
            }
        }
    }
}
