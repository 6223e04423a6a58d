@testable import Harness
import XCTest

/// Recording stage failures while a runner fills a cell.
final class CellResultTests: XCTestCase {
    private struct Broken: Error, CustomStringConvertible {
        var description: String { "node 'conv1' (Conv): weight has 3 dimensions, expected 4" }
    }

    func testFirstFailingStageIsRecordedAndLaterStagesAreSkipped() {
        var result = CellResult(model: "m", path: "int8-static")
        XCTAssertEqual(result.run(.convert) { 42 }, 42)
        XCTAssertNil(result.error)
        let executed: Int? = result.run(.execute) { throw Broken() }
        XCTAssertNil(executed)
        XCTAssertNil(result.run(.compare) { throw CompareError.missingGolden(output: "y", available: []) } as Int?)
        XCTAssertEqual(result.error, CellError(stage: .execute, message: "node 'conv1' (Conv): weight has 3 dimensions, expected 4"))
        XCTAssertEqual(Gates().verdict(for: result).reasons, ["execute: node 'conv1' (Conv): weight has 3 dimensions, expected 4"])
        XCTAssertEqual(result.key, CellKey(model: "m", path: "int8-static"))
    }
}
