/// Float16 ⇄ float32 conversion of whole buffers without a library call per element: widening
/// reads a table of all 65,536 half values, narrowing rounds to nearest even with integer
/// arithmetic. Both give the bits of `Float(Float16)` and `Float16(Float)`.
public enum HalfConversion {
    /// `Float(Float16(bitPattern: code))` for every code.
    static let widening: [Float] = (0...UInt16.max).map { Float(Float16(bitPattern: $0)) }

    /// Writes `bits` as floats to `out`, which holds at least `bits.count` elements.
    public static func widen(_ bits: UnsafeBufferPointer<UInt16>, into out: UnsafeMutableBufferPointer<Float>) {
        widening.withUnsafeBufferPointer { table in
            for index in bits.indices { out[index] = table[Int(bits[index])] }
        }
    }

    /// Writes `values` rounded to float16 bits to `out`, which holds at least `values.count` elements.
    public static func narrow(_ values: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<UInt16>) {
        for index in values.indices { out[index] = narrow(values[index]) }
    }

    /// `Float16(value).bitPattern`.
    @inline(__always)
    public static func narrow(_ value: Float) -> UInt16 {
        let signMask: UInt32 = 0x8000_0000
        var bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits & signMask) >> 16)
        bits &= ~signMask
        let halfOverflow: UInt32 = (127 + 16) << 23
        if bits >= halfOverflow {
            return bits > 0x7F80_0000 ? Float16(value).bitPattern : sign | 0x7C00
        }
        if bits < (113 << 23) {
            // Subnormal or zero: adding 0.5 aligns the 10 result bits at the bottom of the float
            // and rounds to nearest even in the floating-point addition itself.
            let magic: UInt32 = ((127 - 15) + (23 - 10) + 1) << 23
            let aligned = Float(bitPattern: bits) + Float(bitPattern: magic)
            return sign | UInt16(truncatingIfNeeded: aligned.bitPattern &- magic)
        }
        let odd = (bits >> 13) & 1
        bits = bits &+ (UInt32(bitPattern: Int32(15 - 127) << 23) &+ 0xFFF) &+ odd
        return sign | UInt16(truncatingIfNeeded: bits >> 13)
    }
}
