/// A floating-point format narrower than 16 bits (the float8, float6 and float4 types of ONNX),
/// decoded and encoded through a table of its codes.
///
/// Encoding rounds to nearest, ties to even, as ONNX's `Cast` does. With `saturate`, values beyond
/// the largest finite magnitude (infinities included) become that magnitude; without it they become
/// the format's infinity or, where it has none, NaN.
public struct MiniFloat: Sendable {
    public let exponentBits: Int
    public let mantissaBits: Int
    public let bias: Int
    public let hasInfinity: Bool
    /// `fnuz` formats: no negative zero, the code of negative zero is NaN.
    public let unsignedZero: Bool
    /// Only the all-ones code of the magnitude is NaN (e4m3fn); otherwise, with infinity, every code with a full exponent and non-zero mantissa is.
    public let onlyAllOnesIsNaN: Bool
    public let hasNaN: Bool
    public let hasSign: Bool

    public static let e4m3fn = MiniFloat(exponentBits: 4, mantissaBits: 3, bias: 7, hasInfinity: false, unsignedZero: false, onlyAllOnesIsNaN: true, hasNaN: true, hasSign: true)
    public static let e4m3fnuz = MiniFloat(exponentBits: 4, mantissaBits: 3, bias: 8, hasInfinity: false, unsignedZero: true, onlyAllOnesIsNaN: false, hasNaN: true, hasSign: true)
    public static let e5m2 = MiniFloat(exponentBits: 5, mantissaBits: 2, bias: 15, hasInfinity: true, unsignedZero: false, onlyAllOnesIsNaN: false, hasNaN: true, hasSign: true)
    public static let e5m2fnuz = MiniFloat(exponentBits: 5, mantissaBits: 2, bias: 16, hasInfinity: false, unsignedZero: true, onlyAllOnesIsNaN: false, hasNaN: true, hasSign: true)
    public static let e2m1 = MiniFloat(exponentBits: 2, mantissaBits: 1, bias: 1, hasInfinity: false, unsignedZero: false, onlyAllOnesIsNaN: false, hasNaN: false, hasSign: true)
    public static let e2m3 = MiniFloat(exponentBits: 2, mantissaBits: 3, bias: 1, hasInfinity: false, unsignedZero: false, onlyAllOnesIsNaN: false, hasNaN: false, hasSign: true)
    public static let e3m2 = MiniFloat(exponentBits: 3, mantissaBits: 2, bias: 3, hasInfinity: false, unsignedZero: false, onlyAllOnesIsNaN: false, hasNaN: false, hasSign: true)

    /// The format of a minifloat data type, or nil for other types (float8e8m0 has its own codec).
    public static func format(of dataType: DataType) -> MiniFloat? {
        switch dataType {
        case .float8e4m3fn: .e4m3fn
        case .float8e4m3fnuz: .e4m3fnuz
        case .float8e5m2: .e5m2
        case .float8e5m2fnuz: .e5m2fnuz
        case .float4e2m1: .e2m1
        case .float6e2m3: .e2m3
        case .float6e3m2: .e3m2
        default: nil
        }
    }

    var magnitudeBits: Int { exponentBits + mantissaBits }
    var signMask: UInt8 { UInt8(1) << magnitudeBits }
    var magnitudeMask: UInt8 { signMask - 1 }

    /// True when the magnitude code `m` (sign bit cleared) is NaN or infinity.
    private func isSpecial(magnitude m: UInt8) -> Bool {
        let exponentAllOnes = Int(m) >> mantissaBits == (1 << exponentBits) - 1
        if onlyAllOnesIsNaN { return m == magnitudeMask }
        if hasInfinity { return exponentAllOnes }
        return false
    }

    /// The value of `code` (bits above the format's width are ignored).
    public func decode(_ code: UInt8) -> Float {
        let negative = hasSign && code & signMask != 0
        let magnitude = code & magnitudeMask
        if unsignedZero && negative && magnitude == 0 { return .nan }
        if isSpecial(magnitude: magnitude) {
            if hasInfinity && magnitude & ((1 << mantissaBits) - 1) == 0 { return negative ? -.infinity : .infinity }
            return .nan
        }
        let exponent = Int(magnitude) >> mantissaBits
        let mantissa = Float(Int(magnitude) & ((1 << mantissaBits) - 1))
        let scale = Float(1 << mantissaBits)
        let value: Float = exponent == 0
            ? mantissa / scale * Float(sign: .plus, exponent: 1 - bias, significand: 1)
            : (1 + mantissa / scale) * Float(sign: .plus, exponent: exponent - bias, significand: 1)
        return negative ? -value : value
    }

    /// The largest finite magnitude code.
    var maxFiniteMagnitude: UInt8 {
        var code = magnitudeMask
        while isSpecial(magnitude: code) { code -= 1 }
        return code
    }

    /// The code nearest `value`.
    public func encode(_ value: Float, saturate: Bool = true) -> UInt8 {
        let signBit: UInt8 = value.sign == .minus ? signMask : 0
        if value.isNaN { return nanCode }
        let maxCode = maxFiniteMagnitude
        let maxValue = decode(maxCode)
        let magnitude = abs(value)
        if magnitude.isInfinite || magnitude > maxValue {
            // A value just above the largest one may still round down to it.
            let nextValue = decodeBeyondMax(maxCode)
            let roundsDown = magnitude < (maxValue + nextValue) / 2
                || (magnitude == (maxValue + nextValue) / 2 && maxCode & 1 == 0)
            if saturate || (roundsDown && !magnitude.isInfinite) { return signBit | maxCode }
            return overflowCode(negative: signBit != 0)
        }
        var low: UInt8 = 0
        var high = maxCode
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if decode(middle) <= magnitude { low = middle } else { high = middle }
        }
        let lowDistance = magnitude - decode(low)
        let highDistance = decode(high) - magnitude
        let code: UInt8 = lowDistance < highDistance ? low
            : highDistance < lowDistance ? high
            : (low & 1 == 0 ? low : high)
        if code == 0 && unsignedZero { return 0 }
        return signBit | code
    }

    /// The code NaN encodes to; formats without NaN give negative zero, as ml_dtypes does.
    private var nanCode: UInt8 {
        if unsignedZero { return signMask }
        if onlyAllOnesIsNaN { return magnitudeMask }
        if hasInfinity { return magnitudeMask }
        return signMask
    }

    private func overflowCode(negative: Bool) -> UInt8 {
        if hasInfinity { return (negative ? signMask : 0) | (magnitudeMask & ~UInt8((1 << mantissaBits) - 1)) }
        if hasNaN { return nanCode }
        return (negative ? signMask : 0) | maxFiniteMagnitude
    }

    /// The value the code after `maxCode` would have if the format continued.
    private func decodeBeyondMax(_ maxCode: UInt8) -> Float {
        let exponent = Int(maxCode) >> mantissaBits
        let mantissa = Int(maxCode) & ((1 << mantissaBits) - 1) + 1
        return Float(1 + Float(mantissa) / Float(1 << mantissaBits)) * Float(sign: .plus, exponent: exponent - bias, significand: 1)
    }
}

/// ONNX's float8e8m0: an unsigned power of two, 2^(code − 127), with 0xFF as NaN.
///
/// Encoding works on the float32 exponent field, as ONNX specifies: the sign is dropped, NaN and
/// infinity become 0xFF, and the fraction decides rounding by `RoundingMode`.
public enum Float8E8M0 {
    public enum RoundingMode: String, Sendable {
        case up, down, nearest
    }

    public static func decode(_ code: UInt8) -> Float {
        code == 0xFF ? .nan : Float(sign: .plus, exponent: Int(code) - 127, significand: 1)
    }

    public static func encode(_ value: Float, saturate: Bool = true, rounding: RoundingMode = .up) -> UInt8 {
        let bits = value.bitPattern
        let exponent = UInt16(bits >> 23 & 0xFF)
        if exponent == 0xFF { return 0xFF }
        let roundUp: Bool
        switch rounding {
        case .up:
            roundUp = bits & 0x7F_FFFF != 0
        case .down:
            roundUp = false
        case .nearest:
            let guardBit = bits & 0x40_0000 != 0
            let roundBit = bits & 0x20_0000 != 0
            let sticky = bits & 0x1F_FFFF != 0
            roundUp = guardBit && (roundBit || sticky || exponent > 0)
        }
        if saturate && exponent == 0xFE { return 0xFE }
        return UInt8(truncatingIfNeeded: exponent + (roundUp ? 1 : 0))
    }
}

/// bfloat16: the top half of a float32.
public enum BFloat16 {
    public static func decode(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Rounds to nearest, ties to even; NaN stays a quiet NaN.
    public static func encode(_ value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 | UInt16(value.bitPattern >> 16 & 0x8000) }
        let bits = value.bitPattern
        let rounding = UInt32(0x7FFF) + (bits >> 16 & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }
}

/// Elements of 2, 4 or 6 bits packed into bytes, element `i` at bits `i·w ..< (i+1)·w`, low bits first.
public enum PackedBits {
    public static func element(_ bytes: UnsafeRawBufferPointer, at index: Int, width: Int) -> UInt8 {
        let bit = index * width
        var word = UInt16(bytes[bit / 8])
        if bit % 8 + width > 8, bit / 8 + 1 < bytes.count { word |= UInt16(bytes[bit / 8 + 1]) << 8 }
        return UInt8(truncatingIfNeeded: word >> (bit % 8)) & UInt8((1 << width) - 1)
    }

    public static func setElement(_ bytes: UnsafeMutableRawBufferPointer, at index: Int, width: Int, to value: UInt8) {
        let bit = index * width
        let mask = UInt16((1 << width) - 1) << (bit % 8)
        let shifted = UInt16(value & UInt8((1 << width) - 1)) << (bit % 8)
        bytes[bit / 8] = bytes[bit / 8] & ~UInt8(truncatingIfNeeded: mask) | UInt8(truncatingIfNeeded: shifted)
        if bit % 8 + width > 8 {
            bytes[bit / 8 + 1] = bytes[bit / 8 + 1] & ~UInt8(truncatingIfNeeded: mask >> 8) | UInt8(truncatingIfNeeded: shifted >> 8)
        }
    }
}
