import ModelIR

/// Integer tensors minus their zero points as doubles, and doubles back to int32: how the integer
/// matrix kernels (MatMulInteger, ConvInteger) run on `dgemm`, whose 53-bit accumulation is exact
/// for every int8/uint8 product sum of fewer than 2³⁶ terms.
enum ZeroShifted {
    /// `x − zero` as a double tensor; `zero` is a scalar or has one entry per index along `axis`
    /// (a negative `axis` counts from the end).
    static func doubles(_ x: Tensor, minus zero: Tensor?, axis: Int) throws -> Tensor {
        let points = try zero?.int64Values().map(Double.init) ?? [0]
        var inner = 1, channels = 1
        if points.count != 1 {
            let resolved = axis < 0 ? x.rank + axis : axis
            guard resolved >= 0, resolved < x.rank, x.shape[resolved] == points.count else {
                throw KernelError.invalidInput("zero point \(zero?.shape ?? []) does not fit \(x.shape)")
            }
            inner = x.shape[(resolved + 1)...].reduce(1, *)
            channels = points.count
        }
        return try Tensor.filled(Double.self, shape: x.shape) { out in
            func fill<T: TensorScalar & BinaryInteger>(_ type: T.Type) throws {
                try x.withElements(T.self) { values in
                    if channels == 1 {
                        let point = points[0]
                        for index in values.indices { out[index] = Double(values[index]) - point }
                    } else {
                        for index in values.indices { out[index] = Double(values[index]) - points[(index / max(inner, 1)) % channels] }
                    }
                }
            }
            switch x.dataType {
            case .int8: try fill(Int8.self)
            case .uint8: try fill(UInt8.self)
            case .int16: try fill(Int16.self)
            case .uint16: try fill(UInt16.self)
            case .int32: try fill(Int32.self)
            default: throw KernelError.unsupportedType("\(x.dataType) is not an integer type these kernels take")
            }
        }
    }

    /// A double tensor of integral values as int32 (rounded, saturated).
    static func int32(_ y: Tensor) throws -> Tensor {
        try y.withElements(Double.self) { values in
            try Tensor.filled(Int32.self, shape: y.shape) { out in
                for index in values.indices {
                    out[index] = Int32(min(max(values[index].rounded(), -2_147_483_648), 2_147_483_647))
                }
            }
        }
    }
}
