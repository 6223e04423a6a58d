import Foundation
import Harness
@testable import Reports
import XCTest

/// `report.html`: self-contained, well-formed, one matrix row per model, a drill-down per cell.
final class HTMLReportWriterTests: XCTestCase {
    func testHTMLIsSelfContainedWellFormedWithOneMatrixRowPerModel() throws {
        let report = ReportFixtures.report()
        let html = HTMLReportWriter.render(report)
        let xml = try XMLCollector.parse(html)
        let rows = xml.elements.filter { $0.name == "tr" && $0.attributes["class"] == "model-row" }
        XCTAssertEqual(rows.map { $0.attributes["data-model"] }, ReportFixtures.models)
        XCTAssertEqual(xml.all("td").filter { ($0["class"] ?? "").hasPrefix("cell ") }.count, 9)
        XCTAssertEqual(xml.all("td").filter { $0["class"] == "cell fail" }.count, 2)
        XCTAssertEqual(xml.all("td").filter { $0["class"] == "cell error" }.count, 1)
        XCTAssertEqual(xml.all("th").filter { $0["class"] == "sortable" }.count, 1 + ReportFixtures.paths.count)
        // A drill-down per cell, each reachable from the matrix.
        let details = xml.all("details")
        XCTAssertEqual(details.count, 9)
        let links = Set(xml.all("a").compactMap { $0["href"] })
        for detail in details { XCTAssertTrue(links.contains("#" + (detail["id"] ?? "?"))) }
        // Charts: scatter (one dot per cell with accuracy and size), latency bars, histograms.
        XCTAssertEqual(xml.all("circle").count, 8)
        XCTAssertEqual(xml.all("rect").filter { ($0["class"] ?? "").hasPrefix("bar") && $0["height"] != nil }.count >= 8, true)
        XCTAssertEqual(xml.all("svg").count, 2 + 11)
        // Nothing is fetched from anywhere.
        for element in xml.elements {
            for attribute in ["src", "href", "xlink:href"] {
                if let value = element.attributes[attribute] { XCTAssertTrue(value.hasPrefix("#"), "\(element.name) \(attribute)=\(value)") }
            }
            XCTAssertNotEqual(element.name, "link")
        }
        XCTAssertFalse(html.contains("http://") || html.contains("https://"))
        XCTAssertFalse(html.contains("@import"))
        // Metadata and escaping.
        XCTAssertTrue(html.contains("Test CPU @ 2.00GHz"))
        XCTAssertTrue(html.contains(String(repeating: "a", count: 40)))
        XCTAssertTrue(html.contains("odd &lt;model&gt; &amp; &quot;quotes&quot;"))
        XCTAssertTrue(html.contains("First node below 20 dB SNR against the fp32 graph: <b>fc&lt;1&gt;</b> (Gemm)"))
        // The error against the noise floor, and detections paired out of order.
        let floor = ReportFixtures.noiseFloor
        func occurrences(_ text: String) -> Int { html.components(separatedBy: text).count - 1 }
        XCTAssertEqual(occurrences("<li>probs: error 0× the noise floor \(Gates.number(floor.allowance)) (allowed 16×); the floor is"), 3)
        XCTAssertEqual(occurrences("<li>boxes: 2 detections paired with a golden row at another position</li>"), 3)
        XCTAssertEqual(occurrences("<th>× floor</th>"), 8)
    }
}
