import Foundation
import Harness
import ModelFormats
@testable import Reports
import XCTest

/// Writing the four files atomically and the `latest` link.
final class ReportWriterTests: XCTestCase {
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
