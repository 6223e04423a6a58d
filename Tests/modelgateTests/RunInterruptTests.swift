import Foundation
import TestSupport
import XCTest

/// SIGINT during `modelgate run`: no further cell starts, the running worker is stopped, the
/// reports of the finished cells are written marked interrupted, and the exit status is 130.
final class RunInterruptTests: XCTestCase {
    func testInterruptWritesTheFinishedCellsAndExits130() throws {
        let folder = try TemporaryDirectory()
        let corpus = folder.file("corpus")
        try FileManager.default.copyItem(at: FixturePaths.repositoryRoot.appendingPathComponent("Golden"), to: corpus)
        let out = folder.file("out")
        let tag = UUID().uuidString

        let process = Process()
        process.executableURL = modelgateExecutable
        process.arguments = ["run", "--corpus", corpus.path, "--out", out.path, "--jobs", "1",
                             "--paths", "fp32,fused,fp16,int8-dynamic,int8-static,prune-50"]
        var environment = ProcessInfo.processInfo.environment
        environment["MODELGATE_INTERRUPT_TEST"] = tag
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        let collected = StreamCollector()
        errors.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        try process.run()

        let firstCellDeadline = Date().addingTimeInterval(300)
        while process.isRunning && !collected.text.contains("[1/") && Date() < firstCellDeadline { usleep(10_000) }
        XCTAssertTrue(collected.text.contains("[1/"), "no cell finished: \(collected.text)")
        XCTAssertTrue(process.isRunning, "run ended before it was interrupted: \(collected.text)")
        kill(process.processIdentifier, SIGINT)
        let exitDeadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < exitDeadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil

        XCTAssertEqual(process.terminationReason, .exit, collected.text)
        XCTAssertEqual(process.terminationStatus, 130, collected.text)
        XCTAssertTrue(collected.text.contains("interrupted: stopping the running cells"), collected.text)
        XCTAssertEqual(Self.processes(taggedWith: tag), [], "worker processes outlived the run")

        for file in ["report.json", "report.html", "junit.xml", "summary.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any])
        let metadata = try XCTUnwrap(report["metadata"] as? [String: Any])
        let cells = try XCTUnwrap(report["cells"] as? [[String: Any]])
        let planned = try XCTUnwrap(metadata["plannedCells"] as? Int)
        XCTAssertEqual(metadata["interrupted"] as? Bool, true)
        XCTAssertEqual(metadata["incomplete"] as? Bool, true)
        XCTAssertNil(metadata["finishedAt"])
        XCTAssertEqual(planned, 44)
        XCTAssertGreaterThanOrEqual(cells.count, 1)
        XCTAssertLessThan(cells.count, planned)
        XCTAssertEqual(cells.first?["model"] as? String, "mnist_cnn")
        XCTAssertEqual(cells.first?["path"] as? String, "fp32")
        for cell in cells { XCTAssertNotNil(cell["verdict"] as? String) }
        let summary = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("**incomplete (interrupted): \(cells.count) of \(planned) planned cells**"), summary)
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertEqual(junit.components(separatedBy: "<testcase ").count - 1, cells.count)
    }

    /// Processes whose environment carries `MODELGATE_INTERRUPT_TEST=tag`.
    private static func processes(taggedWith tag: String) -> [String] {
        let needle = Data("MODELGATE_INTERRUPT_TEST=\(tag)".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.filter { pid in
            guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return environment.range(of: needle) != nil
        }
    }
}

/// Bytes from a pipe's readability handler, read from the test's thread.
private final class StreamCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) {
        lock.lock(); data.append(chunk); lock.unlock()
    }

    var text: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
