import CDNNLKernels

/// The threads one parallel loop runs on: an OpenMP team of `threads` (libgomp's, the caller among
/// them), the same threads oneDNN's primitives run on, so a convolution and the elementwise step
/// after it never keep two sets of threads spinning on the same cores (`mg_team_run`).
///
/// Parts are claimed one at a time, so a fast thread takes more of them; `run` returns when every
/// part has finished. A loop started from inside a part runs on the calling thread alone; loops
/// from different threads each get a team of their own. Between loops libgomp's threads spin
/// briefly before they sleep, so the many short loops of one inference hand over without a wake-up.
struct ThreadTeam: Sendable {
    let threads: Int

    init(threads: Int) { self.threads = max(threads, 1) }

    /// Runs `body(part)` for every part in `0..<parts`; returns when all have finished.
    func run(parts: Int, _ body: (Int) -> Void) {
        guard parts > 0 else { return }
        guard threads > 1, parts > 1 else {
            for part in 0..<parts { body(part) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var job = body
            withUnsafeMutablePointer(to: &job) { pointer in
                mg_team_run(parts, Int32(threads), pointer) { context, part in
                    context?.assumingMemoryBound(to: ((Int) -> Void).self).pointee(part)
                }
            }
        }
    }
}
