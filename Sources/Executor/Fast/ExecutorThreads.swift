import CBLAS
import Dispatch

/// How many threads the executor's kernels use: OpenBLAS's pool for matrix products and
/// `ParallelFor` for the executor's own kernels (depthwise convolution, element-wise epilogues).
public enum ExecutorThreads {
    nonisolated(unsafe) private static var configured = 1

    /// The thread count last set (1 unless `set(_:)` was called).
    public static var count: Int { configured }

    /// Runs `body` with OpenBLAS on one thread (for products the executor splits over its own threads).
    static func withSingleThreadedBLAS(_ body: () -> Void) {
        guard configured > 1 else { return body() }
        openblas_set_num_threads(1)
        body()
        openblas_set_num_threads(Int32(clamping: configured))
    }

    /// Sets the thread count for every later run (at least 1).
    public static func set(_ threads: Int) {
        configured = max(threads, 1)
        openblas_set_num_threads(Int32(clamping: configured))
    }
}

/// Splits `0..<count` into one contiguous chunk per executor thread (`ExecutorThreads.count`) and
/// runs `body` on each, in parallel when there is more than one thread and at least `grain` items
/// per chunk; otherwise calls `body(0..<count)` on the calling thread.
enum ParallelFor {
    static func run(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        let threads = min(ExecutorThreads.count, count / max(grain, 1))
        guard threads > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { part in
                let start = count * part / threads, end = count * (part + 1) / threads
                if start < end { box.value(start..<end) }
            }
        }
    }
}

/// A value handed to `concurrentPerform`, whose chunks touch disjoint memory.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
