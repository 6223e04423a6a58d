import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Harness
@testable import Reports
import XCTest

/// Collects elements and attributes of an XML document, failing on malformed input.
private final class XMLCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var text: [String: String] = [:]
    private var current = ""
    private var stack: [String] = []

    static func parse(_ string: String) throws -> XMLCollector {
        let collector = XMLCollector()
        let parser = XMLParser(data: Data(string.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            throw NSError(domain: "xml", code: 1, userInfo: [NSLocalizedDescriptionKey: "line \(parser.lineNumber): \(parser.parserError.map { "\($0)" } ?? "?")"])
        }
        return collector
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append((name, attributes))
        stack.append(name)
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "failure" || name == "error" { text[name, default: ""] += current + "\u{1}" }
        stack.removeLast()
    }

    func all(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }
}

/// The HTML, JUnit and Markdown writers, and atomic writing.
final class WriterTests: XCTestCase {
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
        XCTAssertEqual(xml.all("svg").count, 2 + 8)
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
    }

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

    func testWriterWritesFourFilesAtomicallyAndLatestLink() throws {
        let root = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = ReportWriter.defaultFolder(root: root, runId: "20261125-100000")
        let files = try ReportWriter.write(ReportFixtures.report(), to: folder)
        XCTAssertEqual(files.map(\.lastPathComponent), ["report.json", "report.html", "junit.xml", "summary.md"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(),
                       ["junit.xml", "report.html", "report.json", "summary.md"], "no temporary files left behind")
        XCTAssertEqual(try Report.load(folder).cells.count, 9)
        try ReportWriter.updateLatestLink(to: folder)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("latest").path), "20261125-100000")
        let second = ReportWriter.defaultFolder(root: root, runId: "20261125-110000")
        try ReportWriter.write(ReportFixtures.report(), to: second)
        try ReportWriter.updateLatestLink(to: second)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("latest").path), "20261125-110000")
        XCTAssertEqual(try Report.load(root.appendingPathComponent("latest")).cells.count, 9)

        // Overwriting replaces the content whole; a folder in the way is an error naming the file.
        let file = root.appendingPathComponent("x.txt")
        try AtomicFile.write("first", to: file)
        try AtomicFile.write("second", to: file)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "second")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("busy/report.json/inner"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try ReportWriter.write(ReportFixtures.report(), to: root.appendingPathComponent("busy"))) { error in
            XCTAssertTrue(String(describing: error).contains("busy/report.json: cannot write"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("busy").path), ["report.json"])
    }
}

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
