/// The vector loops of `FastPool` over a `PhaseSplitPlane` scratch.
enum Pool2D {
    typealias Vector = SIMD8<Float>

    /// How two vectors of window values combine.
    protocol Combination { static func combine(_ a: Vector, _ b: Vector) -> Vector }
    enum Maximum: Combination {
        /// The lane-wise maximum as one compare and blend (the values hold no NaN).
        @inline(__always) static func combine(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: a .< b) }
    }
    enum Sum: Combination { @inline(__always) static func combine(_ a: Vector, _ b: Vector) -> Vector { a + b } }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    @inline(__always)
    static func store(_ v: Vector, at p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self) }

    /// The combination over taps `t` of `scratch[offsets[t] + q + lane]`; nine taps unrolled.
    @inline(__always)
    private static func window<C: Combination>(_ combination: C.Type, _ scratch: UnsafePointer<Float>, offsets: UnsafeBufferPointer<Int>,
                                               at q: Int) -> Vector {
        if offsets.count == 9 {
            let top = C.combine(C.combine(load(scratch + offsets[0] + q), load(scratch + offsets[1] + q)), load(scratch + offsets[2] + q))
            let middle = C.combine(C.combine(load(scratch + offsets[3] + q), load(scratch + offsets[4] + q)), load(scratch + offsets[5] + q))
            let bottom = C.combine(C.combine(load(scratch + offsets[6] + q), load(scratch + offsets[7] + q)), load(scratch + offsets[8] + q))
            return C.combine(C.combine(top, middle), bottom)
        }
        var value = load(scratch + offsets[0] + q)
        for t in 1..<offsets.count { value = C.combine(value, load(scratch + offsets[t] + q)) }
        return value
    }

    /// `flat[q]` = the combination over taps `t` of `scratch[offsets[t] + q]`, for `q < count`
    /// (a multiple of the vector width). `offsets` holds at least one tap.
    static func reduce<C: Combination>(_ combination: C.Type, _ scratch: UnsafePointer<Float>, offsets: UnsafeBufferPointer<Int>,
                                       count: Int, into flat: UnsafeMutablePointer<Float>) {
        var q = 0
        while q < count {
            store(window(C.self, scratch, offsets: offsets, at: q), at: flat + q)
            q += Vector.scalarCount
        }
    }

    /// `target[oy, ox] = flat[oy·width + ox] / (rowCounts[oy] · columnCounts[ox])`, 0 where the count is 0.
    static func divide(_ flat: UnsafePointer<Float>, width: Int, rows: Int, columns: Int, rowCounts: [Float],
                       columnCounts: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>) {
        for oy in 0..<rows {
            let from = flat + oy * width, to = target + oy * columns
            let rowCount = rowCounts[oy]
            var ox = 0
            while ox + Vector.scalarCount <= columns {
                let count = rowCount * load(columnCounts + ox)
                let quotient = (load(from + ox) / count).replacing(with: 0, where: count .== 0)
                UnsafeMutableRawPointer(to + ox).storeBytes(of: quotient, as: Vector.self)
                ox += Vector.scalarCount
            }
            while ox < columns {
                let count = rowCount * columnCounts[ox]
                to[ox] = count > 0 ? from[ox] / count : 0
                ox += 1
            }
        }
    }

    /// Whether any of the `count` floats at `source` is NaN.
    static func containsNaN(_ source: UnsafePointer<Float>, count: Int) -> Bool {
        var found = SIMDMask<Vector.MaskStorage>(repeating: false)
        var i = 0
        while i + Vector.scalarCount <= count {
            let v = load(source + i)
            found .|= v .!= v
            i += Vector.scalarCount
        }
        while i < count {
            if source[i].isNaN { return true }
            i += 1
        }
        return any(found)
    }
}
