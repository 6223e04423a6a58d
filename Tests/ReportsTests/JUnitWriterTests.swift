import Foundation
import Harness
@testable import Reports
import XCTest

/// `junit.xml` and the escaping that keeps any text valid XML.
final class JUnitWriterTests: XCTestCase {
    func testJUnitHasOneTestCasePerCellWithEscapedReasons() throws {
        let report = ReportFixtures.report()
        let xml = try XMLCollector.parse(JUnitWriter.render(report))
        let suites = xml.all("testsuites")
        XCTAssertEqual(suites.first?["tests"], "9")
        XCTAssertEqual(suites.first?["failures"], "2")
        XCTAssertEqual(suites.first?["errors"], "1")
        XCTAssertEqual(xml.all("testsuite").map { $0["name"] }, ReportFixtures.models)
        let cases = xml.all("testcase")
        XCTAssertEqual(cases.count, 9)
        XCTAssertEqual(cases.map { $0["classname"] ?? "" }, ReportFixtures.plan().cells.map(\.model))
        XCTAssertEqual(cases.map { $0["name"] ?? "" }, ReportFixtures.plan().cells.map(\.path))
        XCTAssertEqual(cases.first?["time"], "1.250")
        let failures = xml.all("failure")
        XCTAssertEqual(failures.count, 2)
        XCTAssertEqual(failures.first?["message"], "output 'probs': 1 NaN and 0 Inf (golden has 0 and 0)")
        XCTAssertEqual(failures.first?["type"], "gate")
        XCTAssertTrue(xml.text["failure"]?.contains("accuracy loss 25 points > 1 (50 % vs golden 75 %)") ?? false)
        XCTAssertTrue(xml.text["failure"]?.contains("first diverging node: fc<1> (Gemm)") ?? false)
        let errors = xml.all("error")
        XCTAssertEqual(errors.first?["type"], "convert")
        XCTAssertEqual(errors.first?["message"], "convert: no calibration.h5 next to resnet_tiny/model.onnx; static quantization needs <inputs/…> ranges")
        XCTAssertEqual(xml.all("property").first { $0["name"] == "git_commit" }?["value"], String(repeating: "a", count: 40))
    }

    func testEscapingKeepsXMLValidForAnyText() throws {
        let nasty = "a&b <c> \"d\" 'e' \u{1}\u{8}\u{1F}\u{FFFE} ]]> é 😀"
        let escaped = Markup.escape(nasty)
        let xml = try XMLCollector.parse("<r a=\"\(escaped)\" b='\(escaped)'>\(escaped)</r>")
        XCTAssertEqual(xml.all("r").first?["a"], "a&b <c> \"d\" 'e' \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD} ]]> é 😀")
    }
}
