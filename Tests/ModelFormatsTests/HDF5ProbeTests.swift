import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// With `HDF5Probe` enabled, a file that crashes libhdf5 is refused with an error instead of taking
/// the process down, and files that read well read exactly as without it.
final class HDF5ProbeTests: XCTestCase {
    private let crashing = FixturePaths.fixture("fuzz/hdf5-libhdf5-segv-1.h5")
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
        HDF5Probe.isEnabled = true
    }

    override func tearDown() {
        HDF5Probe.isEnabled = false
        directory = nil
    }

    /// The fault depends on the heap layout the forked check inherits (the tests that ran before,
    /// a sanitizer's allocator): libhdf5 may read the file without faulting. Either way the answer
    /// is an error naming the file, or data read, never a crash; when libhdf5 does fault, the error
    /// says so in full.
    func testAFileThatCrashesLibHDF5IsRefusedWithAnError() throws {
        // libhdf5 faults on this file with SIGSEGV, or with SIGABRT when its heap checks see the damage first.
        let crashReports = ["signal 11, SIGSEGV", "signal 6, SIGABRT"].map { "\(crashing.path): cannot read: libhdf5 crashed (\($0))" }
        func check(_ read: () throws -> Void, _ name: String) {
            do { try read() } catch {
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("\(crashing.path): "), "\(name): \(text)")
                if text.contains("libhdf5 crashed") && !Sanitizers.areActive {
                    XCTAssertTrue(crashReports.contains { text.hasPrefix($0) }, "\(name): \(text)")
                }
            }
        }
        check({ _ = try HDF5File(reading: crashing) }, "HDF5File")
        check({ _ = try KerasModelFile.load(crashing) }, "KerasModelFile")
        check({ _ = try HDF5TensorFile.read(crashing, group: "/") }, "HDF5TensorFile")
    }

    func testAFileThatHangsLibHDF5IsRefusedAfterTheTimeout() throws {
        let hanging = FixturePaths.fixture("fuzz/keras-libhdf5-hang-1.h5")
        let base = HDF5Probe.baseTimeoutSeconds
        HDF5Probe.baseTimeoutSeconds = 1
        defer { HDF5Probe.baseTimeoutSeconds = base }
        XCTAssertThrowsError(try KerasModelFile.load(hanging)) { error in
            XCTAssertEqual("\(error)", "\(hanging.path): cannot read: reading the file with libhdf5 did not finish within 1 s in an "
                           + "isolated check; the file is damaged or built to hang HDF5 readers")
        }
    }

    func testProbedFilesReadAsUnprobedOnes() throws {
        let golden = FixturePaths.repositoryRoot.appendingPathComponent("Golden/mnist_cnn/golden.h5")
        let probed = try HDF5TensorFile.read(golden, group: "outputs")
        HDF5Probe.isEnabled = false
        let direct = try HDF5TensorFile.read(golden, group: "outputs")
        XCTAssertEqual(probed.keys.sorted(), direct.keys.sorted())
        XCTAssertFalse(probed.isEmpty)
        for (name, tensor) in direct {
            XCTAssertEqual(probed[name]?.shape, tensor.shape, name)
            XCTAssertEqual(try probed[name]?.floatValues(), try tensor.floatValues(), name)
        }
        HDF5Probe.isEnabled = true
        let model = try KerasModelFile.load(FixturePaths.repositoryRoot.appendingPathComponent("Golden/keras_mlp/model.keras"))
        XCTAssertEqual(model.graph.inputs.count, 1)
        XCTAssertFalse(model.graph.initializers.isEmpty)
    }

    func testAnErrorInTheChildIsPassedOnUnchanged() throws {
        let golden = try Data(contentsOf: FixturePaths.fixture("hdf5/golden.h5"))
        let files = [("truncated.h5", golden.prefix(golden.count - 100)), ("notes.h5", Data("x = [1, 2]\n".utf8)),
                     ("empty.h5", Data())]
        for (name, bytes) in files {
            let url = directory.file(name)
            try Data(bytes).write(to: url)
            HDF5Probe.isEnabled = false
            var direct = ""
            XCTAssertThrowsError(try HDF5File(reading: url)) { direct = "\($0)" }
            HDF5Probe.isEnabled = true
            XCTAssertThrowsError(try HDF5File(reading: url)) { XCTAssertEqual("\($0)", direct, name) }
            XCTAssertTrue(direct.hasPrefix(url.path + ": cannot read: "), direct)
        }
    }
}
