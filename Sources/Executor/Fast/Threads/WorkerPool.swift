#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import CFloatKernels
import Synchronization

/// Persistent threads that run the parts of one parallel loop at a time, with the calling thread as
/// one of them.
///
/// Between loops the workers spin (yielding the core) for about a millisecond before they sleep, so
/// the many short loops of one inference hand over in well under a microsecond instead of paying a
/// thread wake-up each. A loop's parts are claimed one at a time from a shared ticket, so a fast
/// thread takes more of them; `run` returns when every part has finished. Loops from different
/// threads are serialized; a loop started from inside a part runs on the calling thread alone.
final class WorkerPool: @unchecked Sendable {
    /// Threads besides the caller.
    let workers: Int

    /// `generation << 32 | next part`; a worker whose generation is stale claims nothing.
    private let ticket = Atomic<Int>(0)
    /// The generation last published; workers wait for it to change.
    private let published = Atomic<Int>(0)
    private let unfinished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let parts = Atomic<Int>(0)
    private var job: (Int) -> Void = { _ in }
    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()

    private static let generationShift = 32
    private static let partMask = (1 << generationShift) - 1
    /// How long an idle worker keeps spinning, in nanoseconds.
    private static let spinNanoseconds: UInt64 = 1_000_000

    init(workers: Int) {
        self.workers = max(workers, 0)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wake, nil)
        for _ in 0..<self.workers {
            let thread = Thread { self.workLoop() }
            thread.start()
        }
    }

    /// Ends the worker threads once they are idle; later loops run on the calling thread alone. The
    /// workers hold the pool, so it lives until this is called.
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(&mutex)
        pthread_cond_broadcast(&wake)
        pthread_mutex_unlock(&mutex)
    }

    /// Runs `body(part)` for every part in `0..<parts` on the workers and the calling thread; returns
    /// when all have finished. `parts` is at most 2³².
    func run(parts: Int, _ body: (Int) -> Void) {
        guard parts > 0 else { return }
        guard workers > 0, parts > 1, !stopping.load(ordering: .relaxed), parts <= Self.partMask, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for part in 0..<parts { body(part) }
            return
        }
        withoutActuallyEscaping(body) { body in
            job = body
            self.parts.store(parts, ordering: .relaxed)
            unfinished.store(parts, ordering: .relaxed)
            let generation = published.load(ordering: .relaxed) &+ 1
            ticket.store((generation & 0x7fff_ffff) << Self.generationShift, ordering: .releasing)
            published.store(generation, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(&mutex)
                pthread_cond_broadcast(&wake)
                pthread_mutex_unlock(&mutex)
            }
            claimParts(generation: generation & 0x7fff_ffff)
            var spins = 0
            while unfinished.load(ordering: .acquiring) > 0 {
                spins += 1
                mg_spin_pause()
                if spins & 1023 == 0 { sched_yield() }
            }
            job = { _ in }
        }
        busy.store(false, ordering: .releasing)
    }

    /// Claims and runs parts of `generation` until none is left or a newer loop has started.
    private func claimParts(generation: Int) {
        var current = ticket.load(ordering: .acquiring)
        while current >> Self.generationShift == generation, current & Self.partMask < parts.load(ordering: .relaxed) {
            let (exchanged, original) = ticket.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged {
                job(original & Self.partMask)
                unfinished.subtract(1, ordering: .releasing)
                current = ticket.load(ordering: .acquiring)
            } else {
                current = original
            }
        }
    }

    private func workLoop() {
        var seen = 0
        while true {
            var generation = published.load(ordering: .acquiring)
            if generation == seen {
                let idleSince = DispatchTime.now().uptimeNanoseconds
                var spins = 0
                while generation == seen {
                    if stopping.load(ordering: .relaxed) { return }
                    spins += 1
                    mg_spin_pause()
                    if spins & 1023 == 0 {
                        sched_yield()
                        if DispatchTime.now().uptimeNanoseconds - idleSince > Self.spinNanoseconds {
                            sleep(until: seen)
                            spins = 0
                        }
                    }
                    generation = published.load(ordering: .acquiring)
                }
            }
            seen = generation
            claimParts(generation: generation & 0x7fff_ffff)
        }
    }

    /// Blocks until a loop newer than `seen` is published.
    private func sleep(until seen: Int) {
        pthread_mutex_lock(&mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while published.load(ordering: .sequentiallyConsistent) == seen && !stopping.load(ordering: .sequentiallyConsistent) {
            pthread_cond_wait(&wake, &mutex)
        }
        sleepers.subtract(1, ordering: .relaxed)
        pthread_mutex_unlock(&mutex)
    }
}
