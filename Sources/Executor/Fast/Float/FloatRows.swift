/// Copies and fills of short float rows as inline vector moves, for the many rows of a few dozen floats the window kernels move per plane, where a
/// `memmove` or `memset` call would cost more than the move itself.
enum FloatRows {
    /// `target[0..<count] = source[0..<count]`; the two ranges must not overlap. The last vector
    /// of a row overlaps the one before it instead of leaving single floats.
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        func move<V: SIMD>(_ type: V.Type, at i: Int) where V.Scalar == Float {
            UnsafeMutableRawPointer(target + i).storeBytes(of: UnsafeRawPointer(source + i).loadUnaligned(as: V.self), as: V.self)
        }
        if count >= 8 {
            var i = 0
            while i &+ 8 <= count {
                move(SIMD8<Float>.self, at: i)
                i &+= 8
            }
            if i < count { move(SIMD8<Float>.self, at: count &- 8) }
        } else if count >= 4 {
            move(SIMD4<Float>.self, at: 0)
            move(SIMD4<Float>.self, at: count &- 4)
        } else {
            for i in 0..<count { target[i] = source[i] }
        }
    }

    /// `target[0..<count] = value`.
    @inline(__always)
    static func fill(_ target: UnsafeMutablePointer<Float>, with value: Float, count: Int) {
        let vector = SIMD8<Float>(repeating: value)
        var i = 0
        while i &+ 8 <= count {
            UnsafeMutableRawPointer(target + i).storeBytes(of: vector, as: SIMD8<Float>.self)
            i &+= 8
        }
        while i < count {
            target[i] = value
            i &+= 1
        }
    }
}
