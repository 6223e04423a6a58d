/// The error a quantization or pruning path introduced in one weight.
public struct WeightDeviation: Sendable, Hashable, Codable {
    public var initializer: String
    public var snrDB: Double
    public var cosine: Double
    public var maxAbsError: Double

    public init(initializer: String, snrDB: Double, cosine: Double, maxAbsError: Double) {
        self.initializer = initializer
        self.snrDB = snrDB
        self.cosine = cosine
        self.maxAbsError = maxAbsError
    }
}
