/// A deterministic pseudo-random source for randomized tests (a 64-bit linear congruential
/// generator read from its high bits), so that a failing case reproduces from its seed.
public struct SeededGenerator {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }

    /// An integer in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    /// A value in [−1, 1] in steps of 0.001.
    public mutating func float() -> Float { Float(next() % 2001) / 1000 - 1 }

    /// A value in `range` in 100,000 steps.
    public mutating func float(_ range: ClosedRange<Float>) -> Float {
        range.lowerBound + Float(next() % 100_001) / 100_000 * (range.upperBound - range.lowerBound)
    }

    /// `count` values of `float()`, with NaN at about one in `nanEvery` positions when it is set.
    public mutating func floats(_ count: Int, nanEvery: Int? = nil) -> [Float] {
        (0..<count).map { _ in
            if let nanEvery, int(1...nanEvery) == 1 { return .nan }
            return float()
        }
    }
}
