/// Sizes a file may ask for, checked before anything is allocated.
public struct ModelLimits: Sendable {
    /// Largest total of tensor bytes one file may hold (default 4 GiB).
    public var maxTensorBytes: Int
    /// Largest tensor rank.
    public var maxRank: Int
    /// Deepest nesting of protobuf messages (graphs within attributes within nodes …).
    public var maxMessageDepth: Int

    public init(maxTensorBytes: Int = 4 << 30, maxRank: Int = 64, maxMessageDepth: Int = 100) {
        self.maxTensorBytes = maxTensorBytes
        self.maxRank = maxRank
        self.maxMessageDepth = maxMessageDepth
    }

    public static let `default` = ModelLimits()

    func check(bytes: Int, tensor: String, file: String) throws(ModelFormatError) {
        guard bytes <= maxTensorBytes else {
            throw .invalidTensor(file: file, tensor: tensor,
                                 reason: "needs \(bytes) bytes, over the limit of \(maxTensorBytes) (raise it with --max-tensor-bytes)")
        }
    }
}
