import CBLAS

/// How many threads the executor's kernels use. Every parallel loop, matrix products included, runs
/// on one `WorkerPool` of that many threads (the caller and `count - 1` workers); OpenBLAS itself
/// always runs single-threaded, so its idle threads never compete with the pool for the cores.
public enum ExecutorThreads {
    nonisolated(unsafe) private static var configured = 1
    nonisolated(unsafe) private static var pools: [Int: WorkerPool] = [:]
    nonisolated(unsafe) static var pool: WorkerPool?

    /// The thread count last set (1 unless `set(_:)` was called).
    public static var count: Int { configured }

    /// Sets the thread count for every later run (at least 1). Not to be called while a run is in progress.
    public static func set(_ threads: Int) {
        configured = max(threads, 1)
        openblas_set_num_threads(1)
        if configured > 1 {
            if pools[configured] == nil { pools[configured] = WorkerPool(workers: configured - 1) }
            pool = pools[configured]
        } else {
            pool = nil
        }
    }
}

/// Splits `0..<count` into one contiguous chunk per executor thread (`ExecutorThreads.count`) and
/// runs `body` on each, in parallel when there is more than one thread and at least `grain` items
/// per chunk; otherwise calls `body(0..<count)` on the calling thread.
enum ParallelFor {
    static func run(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        let threads = min(ExecutorThreads.count, count / max(grain, 1))
        guard threads > 1, let pool = ExecutorThreads.pool else {
            if count > 0 { body(0..<count) }
            return
        }
        pool.run(parts: threads) { part in
            let start = count * part / threads, end = count * (part + 1) / threads
            if start < end { body(start..<end) }
        }
    }
}
