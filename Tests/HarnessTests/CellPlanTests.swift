import Foundation
@testable import Harness
import XCTest

/// Cells of a manifest, path selection and sharding.
final class CellPlanTests: XCTestCase {
    private func manifest(models: [String], paths: [String] = ["fp32", "fp16", "int8-static"]) -> Manifest {
        Manifest(file: "corpus.yml", corpusRoot: URL(fileURLWithPath: "/c"), paths: paths,
                 models: models.map { ModelEntry(name: $0, source: "\($0)/model.onnx", sourceURL: URL(fileURLWithPath: "/c/\($0)/model.onnx")) })
    }

    func testPlanFollowsManifestOrderAndModelPaths() throws {
        var m = manifest(models: ["b", "a"])
        m.models[1].paths = ["fp32"]
        let plan = try CellPlan(manifest: m)
        XCTAssertEqual(plan.cells.map(\.description), ["b × fp32", "b × fp16", "b × int8-static", "a × fp32"])
        XCTAssertEqual(plan.models, ["b", "a"])
        XCTAssertEqual(plan.paths, ["fp32", "fp16", "int8-static"])
        let selected = try CellPlan(manifest: m, paths: ["fp16", "fused"])
        XCTAssertEqual(selected.cells, [CellKey(model: "b", path: "fp16")])
        XCTAssertThrowsError(try CellPlan(manifest: m, paths: ["fp8"])) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("unknown path 'fp8'; allowed: fp32, fused"))
        }
    }

    func testShardsPartitionEveryCellExactlyOnce() throws {
        let plan = try CellPlan(manifest: manifest(models: (1...7).map { "model\($0)" }))
        XCTAssertEqual(plan.cells.count, 21)
        for count in 1...8 {
            var seen: [CellKey] = []
            var sizes: [Int] = []
            for index in 1...count {
                let shard = try plan.sharded(Shard(index: index, count: count))
                XCTAssertEqual(shard.plannedCellCount, 21)
                XCTAssertEqual(shard.models, plan.models, "a shard keeps the plan's rows")
                XCTAssertEqual(shard.paths, plan.paths)
                seen += shard.cells
                sizes.append(shard.cells.count)
            }
            XCTAssertEqual(seen.count, 21, "n = \(count)")
            XCTAssertEqual(Set(seen), Set(plan.cells), "n = \(count)")
            XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "balanced for n = \(count)")
        }
    }

    func testShardAssignmentIgnoresManifestOrder() throws {
        let forward = try CellPlan(manifest: manifest(models: ["a", "b", "c", "d"]))
        let backward = try CellPlan(manifest: manifest(models: ["d", "c", "b", "a"], paths: ["int8-static", "fp32", "fp16"]))
        for index in 1...3 {
            let shard = try Shard(index: index, count: 3)
            XCTAssertEqual(Set(forward.sharded(shard).cells), Set(backward.sharded(shard).cells))
        }
        // Execution order within a shard stays the manifest's.
        let first = try forward.sharded(Shard(index: 1, count: 3)).cells
        XCTAssertEqual(first, forward.cells.filter(first.contains))
    }

    func testShardParsing() throws {
        XCTAssertEqual(try Shard(parsing: "2/4"), try Shard(index: 2, count: 4))
        for bad in ["0/3", "4/3", "1/0", "a/b", "2", "1/2/3", "-1/2"] {
            XCTAssertThrowsError(try Shard(parsing: bad), bad) { error in
                XCTAssertEqual(error as? PlanError, .invalidShard(bad))
            }
        }
        XCTAssertEqual(PlanError.invalidShard("5/4").description, "invalid shard '5/4': write k/n with 1 ≤ k ≤ n, such as 2/4")
    }
}
