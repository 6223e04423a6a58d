@testable import Harness
import XCTest

/// Latency percentiles and size ratios.
final class LatencyMetricsTests: XCTestCase {
    func testLatencyPercentilesAndSizeRatio() throws {
        let latency = try XCTUnwrap(LatencyMetrics(samplesMs: [5, 1, 4, 2, 3, 10, 6, 7, 8, 9], warmupRuns: 3, fp32P50Ms: 2.5))
        XCTAssertEqual(latency.p50Ms, 5)
        XCTAssertEqual(latency.p90Ms, 9)
        XCTAssertEqual(latency.meanMs, 5.5)
        XCTAssertEqual(latency.runs, 10)
        XCTAssertEqual(latency.ratio, 2)
        XCTAssertNil(LatencyMetrics(samplesMs: [], warmupRuns: 0))
        XCTAssertEqual(SizeMetrics(bytes: 250, fp32Bytes: 1000).ratio, 0.25)
        XCTAssertNil(SizeMetrics(bytes: 250).ratio)
    }
}
