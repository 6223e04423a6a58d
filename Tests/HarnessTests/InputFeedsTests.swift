@testable import Harness
import ModelIR
import TestSupport
import XCTest

/// The one rule datasets feed model inputs by (`run`, calibration, `exec`, `golden`).
final class InputFeedsTests: XCTestCase {
    let image = GraphBuilder.value("image", .float, [2, 2])
    let ids = GraphBuilder.value("ids", .int64, [2])

    func testDatasetsAreMatchedByNameOrAsTheOnlyOne() throws {
        let pixels = try Tensor(shape: [2, 2], scalars: [Float(1), 2, 3, 4])
        XCTAssertEqual(try InputFeeds.match([image], datasets: ["pixels": pixels])["image"], pixels, "one input, one dataset")
        XCTAssertThrowsError(try InputFeeds.match([image, ids], datasets: ["pixels": pixels, "other": pixels])) { error in
            XCTAssertEqual(error as? InputFeeds.Failure, .missing(input: "image", available: ["other", "pixels"]))
        }
    }

    func testValuesConvertWhenTheyKeepTheirValueOrBetweenFloatTypes() throws {
        let tokens = try Tensor(shape: [2], scalars: [Int32(7), 30_000])
        XCTAssertEqual(try InputFeeds.converted(tokens, for: GraphBuilder.value("t", .float, [2])).floatValues(), [7, 30_000])
        let whole = try Tensor(shape: [2], scalars: [Float(3), -2])
        XCTAssertEqual(try InputFeeds.converted(whole, for: ids).int64Values(), [3, -2])
        let tenth = try Tensor(shape: [2, 2], scalars: [Double](repeating: 0.1, count: 4))
        let rounded = try InputFeeds.converted(tenth, for: image)
        XCTAssertEqual(rounded.dataType, .float)
        XCTAssertEqual(try rounded.floatValues(), [Float](repeating: 0.1, count: 4))
    }

    func testValuesThatWouldChangeAreRefusedNamingTheInput() throws {
        let half = try Tensor(shape: [2], scalars: [Float(0.5), 1])
        XCTAssertThrowsError(try InputFeeds.converted(half, for: ids)) { error in
            XCTAssertEqual(error as? InputFeeds.Failure,
                           .unusable(input: "ids", reason: "its float values do not all keep their value as int64, the input's type; store them as int64"))
        }
        let large = try Tensor(shape: [2, 2], scalars: [Int64(1 << 25) + 1, 0, 0, 0])
        XCTAssertThrowsError(try InputFeeds.converted(large, for: image), "2²⁵ + 1 has no float32 value")
    }
}
