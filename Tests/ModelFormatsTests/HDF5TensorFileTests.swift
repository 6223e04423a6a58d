import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// Golden-style files of named tensors written and read through `HDF5TensorFile`.
final class HDF5TensorFileTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory = nil
    }

    private func goldenTensors() throws -> [String: Tensor] {
        [
            "inputs/x": try Tensor(shape: [2, 3], scalars: [Float(0), 0.5, 1, 1.5, 2, 2.5]),
            "inputs/mask": try Tensor(shape: [2, 3], scalars: [true, true, false, true, false, false]),
            "outputs/logits": try Tensor(shape: [2, 2], scalars: [Float16(0.25), -1, 2, 65504]),
            "outputs/dense/BiasAdd:0": try Tensor(shape: [2, 1], scalars: [Double(1e-300), -0.0]),
            "labels": try Tensor(shape: [2], scalars: [Int64(3), 0]),
        ]
    }

    func testGoldenGroupsRoundTrip() throws {
        let url = directory.file("golden.h5")
        let tensors = try goldenTensors()
        try HDF5TensorFile.write(tensors, attributes: ["provenance": "keras 3.5.0", "note": "fixture"], to: url)

        let inputs = try HDF5TensorFile.read(url, group: "inputs")
        XCTAssertEqual(Set(inputs.keys), ["x", "mask"])
        XCTAssertEqual(inputs["x"], try Tensor(name: "x", shape: [2, 3], scalars: [Float(0), 0.5, 1, 1.5, 2, 2.5]))
        XCTAssertEqual(inputs["mask"]?.scalars(as: Bool.self), [true, true, false, true, false, false])

        let outputs = try HDF5TensorFile.read(url, group: "outputs")
        XCTAssertEqual(Set(outputs.keys), ["logits", "dense/BiasAdd:0"])
        XCTAssertEqual(outputs["logits"]?.scalars(as: Float16.self), [0.25, -1, 2, 65504])
        XCTAssertEqual(outputs["dense/BiasAdd:0"]?.bytes, tensors["outputs/dense/BiasAdd:0"]?.bytes)

        let everything = try HDF5TensorFile.read(url)
        XCTAssertEqual(Set(everything.keys), Set(tensors.keys))
        for (path, tensor) in tensors {
            XCTAssertTrue(everything[path]?.hasSameContent(as: tensor) == true, path)
        }
        XCTAssertEqual(try HDF5TensorFile.provenance(of: url), "keras 3.5.0")
        XCTAssertEqual(try HDF5File(reading: url).readStringAttribute("note"), "fixture")
    }

    func testProvenanceIsNilWhenAbsent() throws {
        let url = directory.file("calibration.h5")
        try HDF5TensorFile.write(["inputs/x": Tensor(shape: [1], scalars: [Float(1)])], to: url)
        XCTAssertNil(try HDF5TensorFile.provenance(of: url))
        XCTAssertEqual(try HDF5TensorFile.read(url, group: "inputs")["x"]?.scalars(as: Float.self), [1])
    }

    func testWriteNeverOverwritesUnlessTold() throws {
        let url = directory.file("golden.h5")
        try HDF5TensorFile.write(["labels": Tensor(shape: [1], scalars: [Int64(1)])], attributes: ["provenance": "keras"], to: url)
        assertModelFormatError(try HDF5TensorFile.write(["labels": Tensor(shape: [1], scalars: [Int64(2)])], to: url),
                               containing: [url.path, "already exists", "overwrite"])
        XCTAssertEqual(try HDF5TensorFile.provenance(of: url), "keras")

        try HDF5TensorFile.write(["labels": Tensor(shape: [1], scalars: [Int64(2)])], attributes: ["provenance": "modelgate reference executor"],
                                 to: url, overwrite: true)
        XCTAssertEqual(try HDF5TensorFile.read(url)["labels"]?.scalars(as: Int64.self), [2])
        XCTAssertEqual(try HDF5TensorFile.provenance(of: url), "modelgate reference executor")
    }

    func testFailedWriteLeavesNoFileBehind() throws {
        let url = directory.file("golden.h5")
        let unwritable = try tensor(.float8e4m3fn, shape: [1], bits: [0x38] as [UInt8])
        assertModelFormatError(try HDF5TensorFile.write(["inputs/x": Tensor(scalar: Float(1)), "outputs/y": unwritable], to: url),
                               containing: [url.path, "dataset '/outputs/y'", "float8e4m3fn"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), [])
    }
}
