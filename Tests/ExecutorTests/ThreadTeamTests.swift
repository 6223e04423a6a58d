import Dispatch
@testable import Executor
import XCTest

/// The executor's thread team: every part runs exactly once per loop, loops follow one another
/// without losing or repeating parts (also after the threads have gone to sleep), nested loops and
/// loops from several threads at once run every part once, and split matrix products equal whole ones.
final class ThreadTeamTests: XCTestCase {
    func testEveryPartRunsExactlyOnceInManyLoops() {
        let team = ThreadTeam(threads: 4)
        for parts in [1, 2, 3, 7, 64, 1000] {
            for _ in 0..<200 {
                let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts)
                counts.initialize(repeating: 0)
                team.run(parts: parts) { part in counts[part] += 1 }
                XCTAssertEqual(counts.filter { $0 == 1 }.count, parts, "\(parts) parts")
                counts.deallocate()
            }
        }
    }

    func testLoopsAfterTheThreadsSleepStillComplete() {
        let team = ThreadTeam(threads: 2)
        var total = 0
        for round in 0..<3 {
            let sums = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4)
            sums.initialize(repeating: 0)
            team.run(parts: 4) { part in sums[part] = part + round }
            total += sums.reduce(0, +)
            sums.deallocate()
            usleep(5_000)
        }
        XCTAssertEqual(total, 3 * 6 + 4 * 3)
    }

    func testNestedAndConcurrentLoopsRunEveryPartOnce() {
        let team = ThreadTeam(threads: 2)
        let cells = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4 * 8 * 16)
        cells.initialize(repeating: 0)
        defer { cells.deallocate() }
        let address = UInt(bitPattern: cells.baseAddress)
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            let cells = UnsafeMutablePointer<Int>(bitPattern: address)!
            team.run(parts: 8) { outer in
                team.run(parts: 16) { inner in cells[(caller * 8 + outer) * 16 + inner] += 1 }
            }
        }
        XCTAssertEqual(cells.filter { $0 == 1 }.count, cells.count)
    }

    func testSplitProductsEqualWholeOnesForEveryTransposition() throws {
        var state: UInt64 = 7
        func random() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
        ExecutorThreads.set(2)
        defer { ExecutorThreads.set(1) }
        for (m, n, k) in [(96, 300, 64), (3, 4096, 40), (500, 20, 70), (1, 1000, 512)] {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = (0..<(m * k)).map { _ in random() }, b = (0..<(k * n)).map { _ in random() }
                let c0 = (0..<(m * n)).map { _ in random() }
                var split = c0, whole = c0
                let lda = transposeA ? m : k, ldb = transposeB ? k : n
                let didSplit = ParallelGemm.run(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                                                a: a, lda: lda, b: b, ldb: ldb, beta: 2, c: &split, ldc: n)
                XCTAssertTrue(didSplit, "\(m)×\(n)×\(k)")
                for i in 0..<m {
                    for j in 0..<n {
                        var sum: Double = 0
                        for p in 0..<k {
                            sum += Double(transposeA ? a[p * m + i] : a[i * k + p]) * Double(transposeB ? b[j * k + p] : b[p * n + j])
                        }
                        whole[i * n + j] = Float(0.5 * sum + 2 * Double(c0[i * n + j]))
                    }
                }
                for index in whole.indices {
                    XCTAssertEqual(split[index], whole[index], accuracy: 1e-3 * max(1, abs(whole[index])),
                                   "\(m)×\(n)×\(k) tA \(transposeA) tB \(transposeB) at \(index)")
                    if abs(split[index] - whole[index]) > 1e-3 * max(1, abs(whole[index])) { break }
                }
            }
        }
    }
}
