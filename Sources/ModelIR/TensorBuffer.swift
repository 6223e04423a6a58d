/// A 64-byte aligned, zero-initialised block of bytes that backs a tensor.
///
/// Tensors share buffers and copy on write (`Tensor.withUnsafeMutableBytes` copies a buffer that is
/// not uniquely referenced), so a buffer is never mutated while another tensor can see it; that is
/// what makes the unchecked `Sendable` conformance sound.
public final class TensorBuffer: @unchecked Sendable {
    public static let alignment = 64

    public let byteCount: Int
    public let baseAddress: UnsafeMutableRawPointer

    /// Allocates `byteCount` zeroed bytes.
    public init(byteCount: Int) {
        precondition(byteCount >= 0, "negative tensor byte count")
        self.byteCount = byteCount
        baseAddress = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
        baseAddress.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
    }

    /// Allocates `byteCount` bytes left uninitialized, for a producer that writes every byte
    /// before anyone reads the buffer (the executor's fast kernels).
    public init(uninitializedByteCount byteCount: Int) {
        precondition(byteCount >= 0, "negative tensor byte count")
        self.byteCount = byteCount
        baseAddress = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
    }

    /// Allocates a buffer holding a copy of `bytes`.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(byteCount: bytes.count)
        if let source = bytes.baseAddress, bytes.count > 0 {
            baseAddress.copyMemory(from: source, byteCount: bytes.count)
        }
    }

    deinit { baseAddress.deallocate() }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: baseAddress, count: byteCount) }
    public var mutableBytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: baseAddress, count: byteCount)
    }

    public func copy() -> TensorBuffer { TensorBuffer(copying: bytes) }
}
