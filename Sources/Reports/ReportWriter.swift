import Foundation
import ModelFormats

/// Writes a report's four files into one folder, each atomically.
public enum ReportWriter {
    public static let jsonFileName = "report.json"
    public static let htmlFileName = "report.html"
    public static let junitFileName = "junit.xml"
    public static let markdownFileName = "summary.md"

    /// Writes `report.json`, `report.html`, `junit.xml` and `summary.md` into `folder`.
    ///
    /// - Returns: the files written.
    /// - Throws: `ReportError`.
    @discardableResult
    public static func write(_ report: Report, to folder: URL) throws(ReportError) -> [URL] {
        let files: [(String, Data)] = [
            (jsonFileName, try report.jsonData()),
            (htmlFileName, Data(HTMLReportWriter.render(report).utf8)),
            (junitFileName, Data(JUnitWriter.render(report).utf8)),
            (markdownFileName, Data(MarkdownSummaryWriter.render(report).utf8)),
        ]
        var written: [URL] = []
        for (name, data) in files {
            let url = folder.appendingPathComponent(name)
            do { try AtomicFile.write(data, to: url) } catch { throw .writeFailed(file: error.file, reason: error.reason) }
            written.append(url)
        }
        return written
    }

    /// `<root>/<run id>`, the default `--out` of `run`.
    public static func defaultFolder(root: URL, runId: String) -> URL {
        root.appendingPathComponent(runId)
    }

    /// Points `<folder's parent>/latest` at `folder`.
    public static func updateLatestLink(to folder: URL) throws(ReportError) {
        let parent = folder.standardizedFileURL.deletingLastPathComponent()
        do { try AtomicFile.symlink(parent.appendingPathComponent("latest"), to: folder.standardizedFileURL.lastPathComponent) } catch {
            throw .writeFailed(file: error.file, reason: error.reason)
        }
    }
}
