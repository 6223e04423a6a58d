/// Size of a cell's model file, and its ratio to the model's fp32 path.
public struct SizeMetrics: Sendable, Hashable, Codable {
    public var bytes: Int
    public var fp32Bytes: Int?
    /// bytes / fp32Bytes.
    public var ratio: Double?

    public init(bytes: Int, fp32Bytes: Int? = nil) {
        self.bytes = bytes
        self.fp32Bytes = fp32Bytes
        ratio = fp32Bytes.flatMap { $0 > 0 ? Double(bytes) / Double($0) : nil }
    }
}
