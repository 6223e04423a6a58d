/// The vector loops of `FastPool` over a `PhaseSplitPlane` scratch.
enum Pool2D {
    typealias Vector = SIMD8<Float>

    /// How two vectors of window values combine.
    protocol Combination { static func combine(_ a: Vector, _ b: Vector) -> Vector }
    enum Maximum: Combination {
        /// The lane-wise maximum as one compare and blend (the values hold no NaN).
        @inline(__always) static func combine(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: a .< b) }
    }
    enum Sum: Combination { static func combine(_ a: Vector, _ b: Vector) -> Vector { a + b } }

    static func load(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    /// `flat[q]` = the combination over taps `t` of `scratch[offsets[t] + q]`, for `q < count`
    /// (a multiple of the vector width); nine taps unrolled.
    static func reduce<C: Combination>(_ combination: C.Type, _ scratch: UnsafePointer<Float>, offsets: UnsafeBufferPointer<Int>,
                                       count: Int, into flat: UnsafeMutablePointer<Float>) {
        guard let first = offsets.first else { return }
        var q = 0
        if offsets.count == 9 {
            let p0 = scratch + offsets[0], p1 = scratch + offsets[1], p2 = scratch + offsets[2]
            let p3 = scratch + offsets[3], p4 = scratch + offsets[4], p5 = scratch + offsets[5]
            let p6 = scratch + offsets[6], p7 = scratch + offsets[7], p8 = scratch + offsets[8]
            while q < count {
                let top = C.combine(C.combine(load(p0 + q), load(p1 + q)), load(p2 + q))
                let middle = C.combine(C.combine(load(p3 + q), load(p4 + q)), load(p5 + q))
                let bottom = C.combine(C.combine(load(p6 + q), load(p7 + q)), load(p8 + q))
                UnsafeMutableRawPointer(flat + q).storeBytes(of: C.combine(C.combine(top, middle), bottom), as: Vector.self)
                q += Vector.scalarCount
            }
            return
        }
        while q < count {
            var value = load(scratch + first + q)
            for t in 1..<offsets.count { value = C.combine(value, load(scratch + offsets[t] + q)) }
            UnsafeMutableRawPointer(flat + q).storeBytes(of: value, as: Vector.self)
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
