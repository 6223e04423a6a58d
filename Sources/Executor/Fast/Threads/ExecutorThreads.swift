import CBLAS

/// How many threads the executor's kernels use. Every parallel loop, matrix products included, runs
/// on one OpenMP team of that many threads (`ThreadTeam`: the caller and `count - 1` libgomp
/// threads, which oneDNN's primitives share); OpenBLAS itself always runs single-threaded, so its
/// idle threads never compete with the team for the cores.
public enum ExecutorThreads {
    nonisolated(unsafe) private static var configured = 1
    nonisolated(unsafe) static var team: ThreadTeam?

    /// The thread count last set (1 unless `set(_:)` was called).
    public static var count: Int { configured }

    /// Sets the thread count for every later run (at least 1). Not to be called while a run is in progress.
    public static func set(_ threads: Int) {
        configured = max(threads, 1)
        openblas_set_num_threads(1)
        team = configured > 1 ? ThreadTeam(threads: configured) : nil
    }
}

/// Splits `0..<count` into one contiguous chunk per executor thread (`ExecutorThreads.count`) and
/// runs `body` on each, in parallel when there is more than one thread and at least `grain` items
/// per chunk; otherwise calls `body(0..<count)` on the calling thread.
enum ParallelFor {
    static func run(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        let threads = min(ExecutorThreads.count, count / max(grain, 1))
        guard threads > 1, let team = ExecutorThreads.team else {
            if count > 0 { body(0..<count) }
            return
        }
        team.run(parts: threads) { part in
            let start = count * part / threads, end = count * (part + 1) / threads
            if start < end { body(start..<end) }
        }
    }

    /// Runs `body(row, positions)` for every row (N·C plane) of an N×C×… tensor of `shape`. Planes
    /// of at least `wide` positions are split by positions over the threads: one thread takes the
    /// same range of positions on every row, as the convolutions split their outputs by column
    /// panels, so consecutive steps keep each thread on the memory it last wrote. Smaller planes
    /// are split by rows. An N×C tensor has N·C planes of one position; rank below 2 is one row.
    static func planes(_ shape: [Int], grain: Int = 16384, _ body: (Int, Range<Int>) -> Void) {
        let (rows, plane) = layout(shape)
        guard rows > 0, plane > 0 else { return }
        if plane >= wide {
            run(plane, grain: max(16, grain / rows)) { positions in
                for row in 0..<rows { body(row, positions) }
            }
        } else {
            run(rows, grain: max(1, grain / plane)) { chunk in
                for row in chunk { body(row, 0..<plane) }
            }
        }
    }

    /// Runs `body` on ranges of flat element indices covering an N×C×… tensor of `shape`, split as
    /// `planes` splits it (whole runs of rows when its planes are small).
    static func elements(_ shape: [Int], grain: Int = 32768, _ body: (Range<Int>) -> Void) {
        let (rows, plane) = layout(shape)
        guard rows > 0, plane > 0 else { return }
        if plane >= wide {
            run(plane, grain: max(16, grain / rows)) { positions in
                for row in 0..<rows { body((row * plane + positions.lowerBound)..<(row * plane + positions.upperBound)) }
            }
        } else {
            run(rows * plane, grain: grain, body)
        }
    }

    /// Planes with fewer positions are split by rows.
    private static let wide = 1024

    private static func layout(_ shape: [Int]) -> (rows: Int, plane: Int) {
        shape.count >= 2 ? (shape[0] * shape[1], shape[2...].reduce(1, *)) : (1, shape.reduce(1, *))
    }
}
