import Foundation
import TestSupport
import XCTest

/// An HDF5 file that crashes libhdf5 itself (`Tests/Fixtures/fuzz/hdf5-libhdf5-segv-1.h5`) is
/// refused by every command with exit 1 and one line naming the file, as a model and as a golden file.
final class HDF5IsolationCommandTests: XCTestCase {
    private let crashing = FixturePaths.fixture("fuzz/hdf5-libhdf5-segv-1.h5")
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws {
        folder = try TemporaryDirectory()
    }

    override func tearDown() {
        folder = nil
    }

    /// One line on stderr, `error: <file>: <prefix>libhdf5 crashed (<signal>) …`, and exit 1.
    ///
    /// The faults depend on glibc's heap layout: under a sanitizer (`make test-sanitize`) libhdf5
    /// may read the file without faulting, or the sanitizer turns the fault into an exit status, so
    /// there the command only has to end with exit 0, or 1 and one line naming the file.
    private func assertRefused(_ result: ProcessResult, naming file: URL, _ command: String,
                               prefix: String = "cannot read: ", signal: String = "signal 11, SIGSEGV", line: UInt = #line) {
        XCTAssertFalse(result.wasSignalled, command, line: line)
        let lines = result.standardError.split(separator: "\n")
        let message = lines.first.map(String.init) ?? ""
        if Sanitizers.areActive {
            XCTAssertTrue([0, 1].contains(result.exitCode), "\(command): \(result.standardError)", line: line)
            if result.exitCode == 1 {
                XCTAssertEqual(lines.count, 1, "\(command): \(result.standardError)", line: line)
                XCTAssertTrue(message.hasPrefix("error: \(file.path): "), message, line: line)
            }
            return
        }
        XCTAssertEqual(result.exitCode, 1, "\(command): \(result.standardError)", line: line)
        XCTAssertEqual(lines.count, 1, "\(command): \(result.standardError)", line: line)
        XCTAssertEqual(message, "error: \(file.path): \(prefix)libhdf5 crashed (\(signal)) reading the file in an isolated "
                       + "check; the file is damaged or built to crash HDF5 readers: write it again with h5py or the framework that made it",
                       command, line: line)
    }

    func testInspectCheckAndConvertRefuseTheFile() throws {
        let model = folder.file("model.h5")
        try FileManager.default.copyItem(at: crashing, to: model)
        assertRefused(try runProcess(modelgateExecutable, ["inspect", model.path], timeout: 120), naming: model, "inspect")
        assertRefused(try runProcess(modelgateExecutable, ["check", model.path], timeout: 120), naming: model, "check")
        let out = folder.file("out.onnx")
        assertRefused(try runProcess(modelgateExecutable, ["convert", model.path, out.path], timeout: 120), naming: model, "convert")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    /// Later fuzz finds (target `keras`): another null dereference, and an abort inside libhdf5
    /// on the weights file inside a `.keras` archive.
    func testOtherFuzzFindsAreRefused() throws {
        let segv = folder.file("segv.h5")
        try FileManager.default.copyItem(at: FixturePaths.fixture("fuzz/keras-libhdf5-segv-2.h5"), to: segv)
        assertRefused(try runProcess(modelgateExecutable, ["inspect", segv.path], timeout: 120), naming: segv, "inspect")
        let abort = folder.file("abort.keras")
        try FileManager.default.copyItem(at: FixturePaths.fixture("fuzz/keras-libhdf5-abort-1.keras"), to: abort)
        assertRefused(try runProcess(modelgateExecutable, ["convert", abort.path, folder.file("out.onnx").path], timeout: 120),
                      naming: abort, "convert", prefix: "not a valid model file: model.weights.h5 in the archive: ", signal: "signal 6, SIGABRT")
    }

    func testRunRecordsTheFileAsTheCellsError() throws {
        let golden = FixturePaths.repositoryRoot.appendingPathComponent("Golden/mnist_cnn")
        let corpus = folder.file("corpus")
        for name in ["bad_model", "bad_golden"] {
            try FileManager.default.createDirectory(at: corpus.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        let badModel = corpus.appendingPathComponent("bad_model/model.h5")
        let badGolden = corpus.appendingPathComponent("bad_golden/golden.h5")
        try FileManager.default.copyItem(at: crashing, to: badModel)
        try FileManager.default.copyItem(at: golden.appendingPathComponent("golden.h5"), to: corpus.appendingPathComponent("bad_model/golden.h5"))
        try FileManager.default.copyItem(at: golden.appendingPathComponent("model.h5"), to: corpus.appendingPathComponent("bad_golden/model.h5"))
        try FileManager.default.copyItem(at: crashing, to: badGolden)
        try """
            paths: [fp32]
            models:
              bad_model: {source: bad_model/model.h5}
              bad_golden: {source: bad_golden/model.h5}
            """.write(to: corpus.appendingPathComponent("corpus.yml"), atomically: false, encoding: .utf8)
        let out = folder.file("out")
        let result = try runProcess(modelgateExecutable, ["run", "--corpus", corpus.path, "--out", out.path, "--jobs", "1",
                                                          "--latency-runs", "0", "--warmup", "0"], timeout: 300)
        XCTAssertFalse(result.wasSignalled)
        XCTAssertEqual(result.exitCode, 1, result.standardError)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any])
        let cells = try XCTUnwrap(report["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.map { $0["model"] as? String }, ["bad_model", "bad_golden"])
        for (cell, file) in zip(cells, [badModel, badGolden]) {
            XCTAssertEqual(cell["verdict"] as? String, "error")
            let error = try XCTUnwrap(cell["error"] as? [String: Any])
            XCTAssertEqual(error["stage"] as? String, "load")
            let message = try XCTUnwrap(error["message"] as? String)
            let expected = Sanitizers.areActive ? "\(file.path)" : "\(file.path): cannot read: libhdf5 crashed (signal 11, SIGSEGV)"
            XCTAssertTrue(message.hasPrefix(expected), message)
        }
    }
}
