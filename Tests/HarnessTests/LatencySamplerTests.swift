import Harness
import XCTest

final class LatencySamplerTests: XCTestCase {
    /// Warm-up runs happen first and are not timed; every timed run gives one sample.
    func testWarmupRunsAreUntimedAndEachTimedRunGivesOneSample() throws {
        var calls = 0
        var callsBeforeFirstSample: Int?
        let sampler = LatencySampler(warmupRuns: 3, timedRuns: 5)
        let samples = sampler.samples {
            calls += 1
            if callsBeforeFirstSample == nil, calls > 3 { callsBeforeFirstSample = calls - 1 }
        }
        XCTAssertEqual(calls, 8)
        XCTAssertEqual(callsBeforeFirstSample, 3)
        XCTAssertEqual(samples.count, 5)
        XCTAssertTrue(samples.allSatisfy { $0 >= 0 && $0.isFinite })
        XCTAssertEqual(LatencySampler(warmupRuns: -1, timedRuns: 0).samples { calls += 1 }, [])
        XCTAssertEqual(calls, 8)
    }

    /// An error in a run ends the sampling and reaches the caller.
    func testAFailingRunStopsSampling() {
        struct Failure: Error {}
        var calls = 0
        XCTAssertThrowsError(try LatencySampler(warmupRuns: 1, timedRuns: 4).samples {
            calls += 1
            if calls == 3 { throw Failure() }
        })
        XCTAssertEqual(calls, 3)
    }

    /// Under a budget, a run slower than the budget is warmed up once and timed the minimum number
    /// of times; without one (or with 0) every asked-for run happens.
    func testBudgetCutsTheRunsOfASlowModel() {
        var calls = 0
        let slow = LatencySampler(warmupRuns: 3, timedRuns: 20, budgetSeconds: 0.001).measure {
            calls += 1
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .milliseconds(2) {}
        }
        XCTAssertEqual(slow.warmupRuns, 1)
        XCTAssertEqual(slow.samplesMs.count, LatencySampler.minimumTimedRuns)
        XCTAssertEqual(calls, 1 + LatencySampler.minimumTimedRuns)
        XCTAssertTrue(slow.samplesMs.allSatisfy { $0 >= 2 })

        let unlimited = LatencySampler(warmupRuns: 3, timedRuns: 20, budgetSeconds: 0).measure {}
        XCTAssertEqual(unlimited.warmupRuns, 3)
        XCTAssertEqual(unlimited.samplesMs.count, 20)
        XCTAssertEqual(LatencySampler(warmupRuns: 2, timedRuns: 2, budgetSeconds: 1e-9).measure {}.samplesMs.count, 2,
                       "fewer runs asked for than the minimum")
    }
}
