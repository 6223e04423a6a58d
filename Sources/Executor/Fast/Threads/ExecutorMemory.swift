import ModelIR

/// Process-wide allocator settings for repeated runs.
public enum ExecutorMemory {
    /// Keeps freed tensor buffers in the heap for the next run instead of returning them to the
    /// system (glibc hands blocks over 128 KiB back with munmap, and every run then page-faults
    /// its activations in again). Peak memory is unchanged: a run reuses what the previous one freed.
    public static func reuseFreedBuffers() {
        #if os(Linux)
        // <malloc.h>: M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3.
        _ = glibcMallopt(-3, 1 << 30)
        _ = glibcMallopt(-1, 1 << 30)
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

extension Tensor {
    /// A new tensor of `T` and `shape` whose elements `body` must all write: unlike `filled`, the
    /// memory does not start at zero.
    static func overwritten<T: TensorScalar>(_ type: T.Type, shape: [Int],
                                             _ body: (UnsafeMutableBufferPointer<T>) throws -> Void) throws -> Tensor {
        let count = try checkedCount(shape)
        let buffer = TensorBuffer(uninitializedByteCount: T.dataType.byteCount(elements: count))
        try body(buffer.mutableBytes.bindMemory(to: T.self))
        return try Tensor(dataType: T.dataType, shape: shape, buffer: buffer)
    }

    /// A new tensor of `dataType` (a fixed-width type) whose bytes `body` must all write.
    static func overwrittenBytes(_ dataType: DataType, shape: [Int], _ body: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Tensor {
        let count = try checkedCount(shape)
        let buffer = TensorBuffer(uninitializedByteCount: dataType.byteCount(elements: count))
        try body(buffer.mutableBytes)
        return try Tensor(dataType: dataType, shape: shape, buffer: buffer)
    }
}
