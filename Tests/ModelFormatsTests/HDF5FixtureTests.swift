import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// Reads the files `Tools/fixtures/make_hdf5_fixtures.py` wrote with h5py and checks every value
/// the script put there.
final class HDF5FixtureTests: XCTestCase {
    private let numeric = FixturePaths.fixture("hdf5/numeric.h5")
    private let golden = FixturePaths.fixture("hdf5/golden.h5")
    private let kerasLike = FixturePaths.fixture("hdf5/keras_like.h5")

    func testFloatsAreReadBitExactly() throws {
        let file = try HDF5File(reading: numeric)
        let half = try file.readDataset(at: "float16")
        XCTAssertEqual(half.dataType, .float16)
        XCTAssertEqual(half.shape, [2, 3])
        XCTAssertEqual(half.scalars(as: Float16.self)?.map(\.bitPattern), [0x0000, 0x8000, 0x3E00, 0xC080, 0x7BFF, 0x0001])
        XCTAssertEqual(try file.readDataset(at: "float16_special").scalars(as: Float16.self)?.map(\.bitPattern), [0x7C00, 0xFC00, 0x7E00])

        let single = try file.readDataset(at: "float32")
        XCTAssertEqual(single.shape, [2, 2])
        XCTAssertEqual(single.scalars(as: Float.self)?.map(\.bitPattern),
                       [Float(1), -0.5, .greatestFiniteMagnitude, .leastNonzeroMagnitude].map(\.bitPattern))
        XCTAssertEqual(try file.readDataset(at: "float32_be").scalars(as: Float.self), [1, -2.5, 0.1])
        XCTAssertEqual(try file.readDataset(at: "float64").scalars(as: Double.self),
                       [.pi, -2.718281828459045, .leastNonzeroMagnitude])
    }

    func testIntegersAndBoolAreRead() throws {
        let file = try HDF5File(reading: numeric)
        XCTAssertEqual(try file.readDataset(at: "int8").scalars(as: Int8.self), [.min, -1, 0, .max])
        XCTAssertEqual(try file.readDataset(at: "int16").scalars(as: Int16.self), [.min, -1, 0, .max])
        XCTAssertEqual(try file.readDataset(at: "int32").scalars(as: Int32.self), [.min, -1, 0, .max])
        XCTAssertEqual(try file.readDataset(at: "int64").scalars(as: Int64.self), [.min, -1, 0, .max])
        XCTAssertEqual(try file.readDataset(at: "uint8").scalars(as: UInt8.self), [0, 1, .max])
        XCTAssertEqual(try file.readDataset(at: "uint16").scalars(as: UInt16.self), [0, 1, .max])
        XCTAssertEqual(try file.readDataset(at: "uint32").scalars(as: UInt32.self), [0, 1, .max])
        XCTAssertEqual(try file.readDataset(at: "uint64").scalars(as: UInt64.self), [0, 1, .max])
        let flags = try file.readDataset(at: "bool")
        XCTAssertEqual(flags.dataType, .bool)
        XCTAssertEqual(flags.bytes, [1, 0, 1, 1])
    }

    func testScalarEmptyAndUnsupportedDatasets() throws {
        let file = try HDF5File(reading: numeric)
        let scalar = try file.readDataset(at: "scalar")
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.scalars(as: Double.self), [3.25])
        let empty = try file.readDataset(at: "empty")
        XCTAssertEqual(empty.dataType, .float)
        XCTAssertEqual(empty.shape, [0, 3])
        assertModelFormatError(try file.readDataset(at: "unsupported/complex64"),
                               containing: [numeric.path, "dataset '/unsupported/complex64'", "compound", "complex"])
        XCTAssertEqual(try file.members().first { $0.name == "unsupported" }?.kind, .group)
        XCTAssertEqual(try file.members().count, 17)
    }

    func testGoldenFileGroupsLabelsAndAttributes() throws {
        let inputs = try HDF5TensorFile.read(golden, group: "inputs")
        XCTAssertEqual(Set(inputs.keys), ["x", "nested/y"])
        XCTAssertEqual(inputs["x"]?.shape, [2, 3])
        XCTAssertEqual(inputs["x"]?.scalars(as: Float.self), [0, 0.25, 0.5, 0.75, 1, 1.25])
        XCTAssertEqual(inputs["nested/y"]?.shape, [2, 1])
        XCTAssertEqual(inputs["nested/y"]?.scalars(as: Int32.self), [1, 2])
        let outputs = try HDF5TensorFile.read(golden, group: "/outputs")
        XCTAssertEqual(outputs["logits"]?.scalars(as: Float.self), [0.25, -1, 2, 0.125])
        XCTAssertEqual(Set(try HDF5TensorFile.read(golden).keys), ["inputs/x", "inputs/nested/y", "outputs/logits", "labels"])
        XCTAssertEqual(try HDF5TensorFile.provenance(of: golden), "keras 3.5.0 fixture")

        let file = try HDF5File(reading: golden)
        XCTAssertEqual(try file.readDataset(at: "labels").scalars(as: Int64.self), [1, 0])
        XCTAssertEqual(try file.attributeNames(), ["backend", "epochs", "made_by", "mean", "provenance"])
        XCTAssertEqual(try file.readStringAttribute("backend"), "tensorflow")
        XCTAssertEqual(try file.readAttribute("epochs").scalars(as: Int64.self), [3])
        XCTAssertEqual(try file.readAttribute("epochs").shape, [])
        XCTAssertEqual(try file.readAttribute("mean").scalars(as: Double.self), [0.5, 0.25])
        XCTAssertTrue(try file.readStringAttribute("made_by").hasPrefix("Tools/fixtures/make_hdf5_fixtures.py with h5py "))
    }

    func testKerasStyleAttributesAndStringDatasets() throws {
        let file = try HDF5File(reading: kerasLike)
        let config = try file.readStringAttribute("model_config")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any])
        XCTAssertEqual(json["class_name"] as? String, "Sequential")
        XCTAssertEqual(try file.readStringArrayAttribute("layer_names"), ["dense", "dense_1"])
        XCTAssertEqual(try file.readStringArrayAttribute("unames"), ["a", "héllo", ""])
        XCTAssertEqual(try file.readStringArrayAttribute("weight_names", of: "model_weights/dense"), ["dense/kernel:0", "dense/bias:0"])

        XCTAssertEqual(try file.members(of: "model_weights/dense"), [HDF5Member(name: "dense", kind: .group)])
        let kernel = try file.readDataset(at: "model_weights/dense/dense/kernel:0")
        XCTAssertEqual(kernel.name, "kernel:0")
        XCTAssertEqual(kernel.shape, [1, 2])
        XCTAssertEqual(kernel.scalars(as: Float.self), [1, 2])
        XCTAssertEqual(try file.readDataset(at: "model_weights/dense/dense/bias:0").scalars(as: Float.self), [0.5, -0.5])

        let tokens = try file.readDataset(at: "tokens")
        XCTAssertEqual(tokens.dataType, .string)
        XCTAssertEqual(tokens.shape, [3])
        XCTAssertEqual(tokens.decodedStrings, ["a", "héllo", ""])
        XCTAssertEqual(try file.readDataset(at: "codes").decodedStrings, ["ab", "c"])
    }
}
