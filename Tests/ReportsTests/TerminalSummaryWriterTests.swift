import Foundation
import Harness
@testable import Reports
import XCTest

/// The table `run` prints.
final class TerminalSummaryWriterTests: XCTestCase {
    func testTableReasonsAndClosingLine() {
        let text = TerminalSummaryWriter.render(ReportFixtures.report())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "model                         fp32  fp16  int8-static")
        XCTAssertEqual(lines[1], "mnist_cnn                     PASS  PASS  FAIL")
        XCTAssertEqual(lines[2], "resnet_tiny                   PASS  PASS  ERROR")
        XCTAssertTrue(lines.contains("mnist_cnn × int8-static: output 'probs': 1 NaN and 0 Inf (golden has 0 and 0) (+2 more)"), text)
        // The closing line reads as the plain "N passed, N failed" summary CI understands.
        XCTAssertEqual(lines[lines.count - 2], "6 passed, 3 failed (1 with errors)")
        let shard = ReportFixtures.report(plan: ReportFixtures.plan().sharded(try! Shard(index: 1, count: 3)))
        XCTAssertTrue(TerminalSummaryWriter.render(shard).hasSuffix("; incomplete: 3 of 9 planned cells\n"))
    }
}
