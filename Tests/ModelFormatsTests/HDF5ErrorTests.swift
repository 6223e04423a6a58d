import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// Bad files and limits give `ModelFormatError`s that name the file and the object, never a crash.
final class HDF5ErrorTests: XCTestCase {
    private let golden = FixturePaths.fixture("hdf5/golden.h5")
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory = nil
    }

    /// A copy of the first `length` bytes of the golden fixture.
    private func truncatedGolden(to length: Int) throws -> URL {
        let url = directory.file("truncated-\(length).h5")
        try Data(try Data(contentsOf: golden).prefix(length)).write(to: url)
        return url
    }

    func testTruncatedFilesAreRefusedAtOpen() throws {
        let size = try Data(contentsOf: golden).count
        for length in [0, 8, 100, 1_000, size - 100] {
            let url = try truncatedGolden(to: length)
            assertModelFormatError(try HDF5File(reading: url), containing: [url.path])
            assertModelFormatError(try HDF5TensorFile.read(url, group: "inputs"), containing: [url.path])
        }
        let url = try truncatedGolden(to: size - 100)
        assertModelFormatError(try HDF5File(reading: url), containing: [url.path, "truncated"])
    }

    func testNonHDF5FilesAreRefused() throws {
        let text = directory.file("notes.h5")
        try Data("inputs/x = [1, 2, 3]\n".utf8).write(to: text)
        assertModelFormatError(try HDF5File(reading: text), containing: [text.path, "not an HDF5 file"])

        let onnxLike = directory.file("model.h5")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: onnxLike)
        assertModelFormatError(try HDF5File(reading: onnxLike), containing: [onnxLike.path, "not an HDF5 file"])

        let missing = directory.file("missing.h5")
        assertModelFormatError(try HDF5File(reading: missing), containing: [missing.path, "no such file"])
        assertModelFormatError(try HDF5File(reading: directory.url), containing: [directory.url.path, "directory"])
    }

    func testDatasetOverTheByteLimitIsRefused() throws {
        let file = try HDF5File(reading: golden, limits: ModelLimits(maxTensorBytes: 16))
        assertModelFormatError(try file.readDataset(at: "inputs/x"),
                               containing: [golden.path, "/inputs/x", "24 bytes", "limit of 16"])
        XCTAssertEqual(try file.readDataset(at: "labels").scalars(as: Int64.self), [1, 0])
    }

    func testDatasetsOfAGroupTogetherMustFitTheLimit() throws {
        assertModelFormatError(try HDF5TensorFile.read(golden, group: "inputs", limits: ModelLimits(maxTensorBytes: 30)),
                               containing: [golden.path, "/inputs/x", "24 bytes", "8 bytes already read", "limit of 30"])
        XCTAssertEqual(try HDF5TensorFile.read(golden, group: "inputs", limits: ModelLimits(maxTensorBytes: 32)).count, 2)
    }

    func testVariableLengthStringsCountAgainstTheLimit() throws {
        let kerasLike = FixturePaths.fixture("hdf5/keras_like.h5")
        let tight = try HDF5File(reading: kerasLike, limits: ModelLimits(maxTensorBytes: 26))
        assertModelFormatError(try tight.readDataset(at: "tokens"), containing: [kerasLike.path, "/tokens", "strings", "limit of 26"])
        let enough = try HDF5File(reading: kerasLike, limits: ModelLimits(maxTensorBytes: 40))
        XCTAssertEqual(try enough.readDataset(at: "tokens").decodedStrings, ["a", "héllo", ""])
    }

    func testNullDataspaceIsRefused() throws {
        let numeric = FixturePaths.fixture("hdf5/numeric.h5")
        assertModelFormatError(try HDF5File(reading: numeric).readAttribute("nothing", of: "unsupported"),
                               containing: [numeric.path, "attribute 'nothing' of '/unsupported'", "null dataspace"])
    }

    func testRankOverTheLimitIsRefused() throws {
        let file = try HDF5File(reading: golden, limits: ModelLimits(maxRank: 1))
        assertModelFormatError(try file.readDataset(at: "outputs/logits"),
                               containing: [golden.path, "/outputs/logits", "rank 2", "limit of 1"])
    }

    func testMissingObjectsAreNamedWithWhatExists() throws {
        let file = try HDF5File(reading: golden)
        assertModelFormatError(try file.readDataset(at: "inputs/z"),
                               containing: [golden.path, "no dataset '/inputs/z'", "members of '/inputs': nested, x"])
        assertModelFormatError(try file.readDataset(at: "inputs"), containing: [golden.path, "'/inputs' is a group, not a dataset"])
        assertModelFormatError(try file.members(of: "labels"), containing: [golden.path, "'/labels' is a dataset, not a group"])
        assertModelFormatError(try HDF5TensorFile.read(golden, group: "calibration"), containing: [golden.path, "no group '/calibration'"])
        assertModelFormatError(try file.readAttribute("version"),
                               containing: [golden.path, "attribute 'version' of '/'", "backend, epochs, made_by, mean, provenance"])
        assertModelFormatError(try file.readStringAttribute("epochs"),
                               containing: [golden.path, "attribute 'epochs' of '/'", "int64", "not one string"])
        assertModelFormatError(try file.readStringArrayAttribute("mean"),
                               containing: [golden.path, "attribute 'mean' of '/'", "double"])
    }
}
