import Foundation
@testable import Harness
import XCTest

/// The shard a run takes from Bazel's, a Kubernetes Indexed Job's or GitLab CI's variables.
final class ShardEnvironmentTests: XCTestCase {
    func testEachEngineNamesItsShard() throws {
        let bazel = try XCTUnwrap(try ShardEnvironment.resolve(["TEST_TOTAL_SHARDS": "4", "TEST_SHARD_INDEX": "0", "TEST_SHARD_STATUS_FILE": "/tmp/s"]))
        XCTAssertEqual(bazel.shard, try Shard(index: 1, count: 4), "Bazel's index is 0-based")
        XCTAssertEqual(bazel.statusFile, "/tmp/s")
        XCTAssertEqual(bazel.source, "Bazel (TEST_SHARD_INDEX=0, TEST_TOTAL_SHARDS=4)")

        let kubernetes = try XCTUnwrap(try ShardEnvironment.resolve(["JOB_COMPLETION_INDEX": "3", "MODELGATE_SHARD_COUNT": "4"]))
        XCTAssertEqual(kubernetes.shard, try Shard(index: 4, count: 4))
        XCTAssertEqual(kubernetes.source, "Kubernetes Indexed Job (JOB_COMPLETION_INDEX=3, MODELGATE_SHARD_COUNT=4)")
        XCTAssertEqual(try ShardEnvironment.resolve(["JOB_COMPLETION_INDEX": "1", "MODELGATE_SHARD_COUNT": "9"], count: 2)?.shard,
                       try Shard(index: 2, count: 2), "--shard-count wins over the variable")

        let gitlab = try XCTUnwrap(try ShardEnvironment.resolve(["CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"]))
        XCTAssertEqual(gitlab.shard, try Shard(index: 2, count: 3), "GitLab's index is 1-based")
        XCTAssertNil(gitlab.statusFile)

        XCTAssertNil(try ShardEnvironment.resolve(["PATH": "/bin", "CI": "true"]))
        XCTAssertEqual(try ShardEnvironment.resolve(["TEST_TOTAL_SHARDS": "2", "TEST_SHARD_INDEX": "1", "CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "5"])?.shard,
                       try Shard(index: 2, count: 2), "Bazel's variables win")
    }

    func testMisSetVariablesAreErrorsNamingTheVariable() {
        func error(_ environment: [String: String], count: Int? = nil) -> String {
            do { return "no error: \(String(describing: try ShardEnvironment.resolve(environment, count: count)))" } catch { return error.description }
        }
        XCTAssertEqual(error(["TEST_TOTAL_SHARDS": "4", "TEST_SHARD_INDEX": "4"]),
                       "TEST_SHARD_INDEX gives shard 5 of 4 (Bazel (TEST_SHARD_INDEX=4, TEST_TOTAL_SHARDS=4)); it must be one of the 4 shards")
        XCTAssertEqual(error(["TEST_TOTAL_SHARDS": "0", "TEST_SHARD_INDEX": "0"]), "TEST_TOTAL_SHARDS is 0; a shard count is at least 1")
        XCTAssertEqual(error(["TEST_TOTAL_SHARDS": "4"]), "the shard variable TEST_SHARD_INDEX is not set, but the others of its engine are")
        XCTAssertEqual(error(["CI_NODE_INDEX": "one", "CI_NODE_TOTAL": "2"]), "the shard variable CI_NODE_INDEX is 'one', not a whole number")
        XCTAssertEqual(error(["CI_NODE_INDEX": "0", "CI_NODE_TOTAL": "2"]),
                       "CI_NODE_INDEX gives shard 0 of 2 (GitLab CI (CI_NODE_INDEX=0, CI_NODE_TOTAL=2)); it must be one of the 2 shards")
        XCTAssertTrue(error(["JOB_COMPLETION_INDEX": "0"]).hasPrefix("JOB_COMPLETION_INDEX is set but not the shard count: pass --shard-count N"))
    }

    func testBazelStatusFileIsTouched() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("shard-status-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let bazel = try XCTUnwrap(try ShardEnvironment.resolve(["TEST_TOTAL_SHARDS": "2", "TEST_SHARD_INDEX": "1", "TEST_SHARD_STATUS_FILE": file.path]))
        try bazel.touchStatusFile()
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))
        try bazel.touchStatusFile()
    }
}
