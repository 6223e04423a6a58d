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
}
