import Foundation
import Harness
@testable import Reports
import XCTest

/// `summary.md` for pull-request comments.
final class MarkdownSummaryWriterTests: XCTestCase {
    func testMarkdownSummary() {
        let markdown = MarkdownSummaryWriter.render(ReportFixtures.report())
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.first, "## ModelGate: 9 cells, 6 passed, 2 failed, 1 error")
        XCTAssertTrue(lines.contains("| model | fp32 | fp16 | int8-static |"))
        XCTAssertTrue(lines.contains("| mnist_cnn | ✅ loss 0 pt | ✅ loss 0 pt | ❌ loss 25 pt |"), markdown)
        XCTAssertTrue(lines.contains("| resnet_tiny | ✅ loss 0 pt | ✅ loss 0 pt | ⚠️ error |"), markdown)
        XCTAssertTrue(lines.contains(#"| odd &lt;model> & "quotes" \| 'x' | ✅ loss 0 pt | ✅ loss 0 pt | ❌ loss 25 pt |"#), markdown)
        XCTAssertTrue(lines.contains("### Failing cells"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("- **resnet_tiny × int8-static** (error): convert: no calibration.h5") })
        XCTAssertEqual(lines.filter { $0.hasPrefix("- **") }.count, 3)
        XCTAssertTrue(lines.contains { $0.contains("commit `aaaaaaaaaa`") })
    }
}
