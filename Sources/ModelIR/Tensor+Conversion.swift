extension Tensor {
    /// The elements converted to `Float`, from any real numeric type or bool.
    ///
    /// - Throws: `TensorError.unsupported` for string and complex tensors.
    public func floatValues() throws(TensorError) -> [Float] {
        try doubleValues().map { Float($0) }
    }

    /// The elements converted to `Double` (exact for every type but 64-bit integers beyond 2⁵³).
    ///
    /// - Throws: `TensorError.unsupported` for string and complex tensors.
    public func doubleValues() throws(TensorError) -> [Double] {
        let count = elementCount
        func view<T: TensorScalar>(_: T.Type, _ convert: (T) -> Double) -> [Double] {
            withUnsafeBytes { raw in raw.bindMemory(to: T.self).prefix(count).map(convert) }
        }
        func codes(_ decode: (UInt8) -> Float) -> [Double] {
            withUnsafeBytes { raw in raw.prefix(count).map { Double(decode($0)) } }
        }
        func packed(_ width: Int, _ decode: (UInt8) -> Double) -> [Double] {
            withUnsafeBytes { raw in (0..<count).map { decode(PackedBits.element(raw, at: $0, width: width)) } }
        }
        switch dataType {
        case .float: return view(Float.self) { Double($0) }
        case .double: return view(Double.self) { $0 }
        case .int8: return view(Int8.self) { Double($0) }
        case .int16: return view(Int16.self) { Double($0) }
        case .int32: return view(Int32.self) { Double($0) }
        case .int64: return view(Int64.self) { Double($0) }
        case .uint8: return view(UInt8.self) { Double($0) }
        case .uint16: return view(UInt16.self) { Double($0) }
        case .uint32: return view(UInt32.self) { Double($0) }
        case .uint64: return view(UInt64.self) { Double($0) }
        case .bool: return view(UInt8.self) { $0 == 0 ? 0 : 1 }
        case .float16: return view(UInt16.self) { Double(Float16(bitPattern: $0)) }
        case .bfloat16: return view(UInt16.self) { Double(BFloat16.decode($0)) }
        case .float8e8m0: return codes(Float8E8M0.decode)
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz:
            let format = MiniFloat.format(of: dataType)!
            return codes(format.decode)
        case .float4e2m1, .float6e2m3, .float6e3m2:
            let format = MiniFloat.format(of: dataType)!
            return packed(dataType.bitWidth) { Double(format.decode($0)) }
        case .int4, .int2:
            let width = dataType.bitWidth
            return packed(width) { Double(Int8(bitPattern: $0 << (8 - width)) >> (8 - width)) }
        case .uint4, .uint2:
            return packed(dataType.bitWidth) { Double($0) }
        case .string, .complex64, .complex128, .undefined:
            throw .unsupported("tensor '\(name)' of \(dataType) has no real numeric value")
        }
    }

    /// The elements converted to `Int64` (floats truncated toward zero, NaN to 0, out of range saturated).
    public func int64Values() throws(TensorError) -> [Int64] {
        switch dataType {
        case .int64: return scalars(as: Int64.self)!
        case .uint64: return scalars(as: UInt64.self)!.map { Int64(clamping: $0) }
        default:
            return try doubleValues().map { value in
                if value.isNaN { return 0 }
                if value >= 9.223372036854775807e18 { return .max }
                if value <= -9.223372036854775808e18 { return .min }
                return Int64(value)
            }
        }
    }

    /// This tensor as `dataType` when every element keeps its value there (int32 token ids as
    /// float32 below 2²⁴, whole floats as integers in range), else nil. Bool and complex types
    /// and elements that are not numbers (strings) give nil too.
    public func convertedExactly(to dataType: DataType) -> Tensor? {
        if dataType == self.dataType { return self }
        guard dataType != .bool, dataType != .string, !dataType.isComplex,
              let values = try? doubleValues(),
              let converted = try? Tensor(name: name, converting: values, to: dataType, shape: shape),
              let back = try? converted.doubleValues() else { return nil }
        for (value, kept) in zip(values, back) where !(value == kept || value.isNaN && kept.isNaN) { return nil }
        return converted
    }

    /// A tensor of `dataType` holding `values` converted as ONNX's `Cast` converts float64:
    /// floats round to nearest even (with `saturate` for float8 types), integers truncate toward
    /// zero and wrap to their width, bool is `value != 0`.
    ///
    /// - Throws: `TensorError.unsupported` for string and complex types, `.invalidShape` when the counts differ.
    public init(name: String = "", converting values: [Double], to dataType: DataType, shape: [Int], saturate: Bool = true) throws(TensorError) {
        let count = try Tensor.elementCount(of: shape)
        guard count == values.count else { throw .invalidShape(shape) }
        let buffer = TensorBuffer(byteCount: dataType.byteCount(elements: count))
        let raw = buffer.mutableBytes
        func fill<T: TensorScalar>(_: T.Type, _ convert: (Double) -> T) {
            let typed = raw.bindMemory(to: T.self)
            for index in 0..<count { typed[index] = convert(values[index]) }
        }
        func wrapped<T: FixedWidthInteger>(_ value: Double) -> T {
            guard value.isFinite else { return 0 }
            let truncated = value.rounded(.towardZero)
            if let exact = Int64(exactly: truncated) { return T(truncatingIfNeeded: exact) }
            if let exact = UInt64(exactly: truncated) { return T(truncatingIfNeeded: exact) }
            return 0
        }
        func packed(_ encode: (Double) -> UInt8) {
            for index in 0..<count {
                PackedBits.setElement(raw, at: index, width: dataType.bitWidth, to: encode(values[index]))
            }
        }
        switch dataType {
        case .float: fill(Float.self) { Float($0) }
        case .double: fill(Double.self) { $0 }
        case .int8: fill(Int8.self, wrapped)
        case .int16: fill(Int16.self, wrapped)
        case .int32: fill(Int32.self, wrapped)
        case .int64: fill(Int64.self, wrapped)
        case .uint8: fill(UInt8.self, wrapped)
        case .uint16: fill(UInt16.self, wrapped)
        case .uint32: fill(UInt32.self, wrapped)
        case .uint64: fill(UInt64.self, wrapped)
        case .bool: fill(UInt8.self) { $0 != 0 ? 1 : 0 }
        case .float16: fill(UInt16.self) { Float16($0).bitPattern }
        case .bfloat16: fill(UInt16.self) { BFloat16.encode(Float($0)) }
        case .float8e8m0: fill(UInt8.self) { Float8E8M0.encode(Float($0), saturate: saturate) }
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz:
            let format = MiniFloat.format(of: dataType)!
            fill(UInt8.self) { format.encode(Float($0), saturate: saturate) }
        case .float4e2m1, .float6e2m3, .float6e3m2:
            let format = MiniFloat.format(of: dataType)!
            packed { format.encode(Float($0), saturate: saturate) }
        case .int4, .int2, .uint4, .uint2:
            packed { UInt8(truncatingIfNeeded: wrapped($0) as Int64) }
        case .string, .complex64, .complex128, .undefined:
            throw .unsupported("cannot convert numbers to \(dataType)")
        }
        try self.init(name: name, dataType: dataType, shape: shape, buffer: buffer)
    }
}
