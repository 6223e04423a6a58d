import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// Round trips through `HDF5File`'s writer and reader, compared bit for bit.
final class HDF5FileTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory = nil
    }

    /// Writes `tensors` at their paths into a new file, closes it and reads every path back.
    private func roundTrip(_ tensors: [String: Tensor]) throws -> [String: Tensor] {
        let url = directory.file("round-trip-\(UUID().uuidString).h5")
        let writer = try HDF5File(creating: url)
        for (path, tensor) in tensors { try writer.writeDataset(tensor, at: path) }
        try writer.close()
        let reader = try HDF5File(reading: url)
        var read: [String: Tensor] = [:]
        for path in tensors.keys { read[path] = try reader.readDataset(at: path) }
        return read
    }

    func testEveryDataTypeRoundTripsBitIdentically() throws {
        let tensors: [String: Tensor] = [
            "float16": try tensor(.float16, shape: [3, 3], bits: [0x0000, 0x8000, 0x3C00, 0x7BFF, 0x0001, 0x7C00, 0xFC00, 0x7E00, 0x7D01] as [UInt16]),
            "float32": try tensor(.float, shape: [2, 3], bits: [0x0000_0000, 0x8000_0000, 0x3F80_0000, 0x0000_0001, 0x7F80_0000, 0x7FC0_0001] as [UInt32]),
            "float64": try tensor(.double, shape: [4], bits: [0x8000_0000_0000_0000, 0x4009_21FB_5444_2D18, 0x0000_0000_0000_0001, 0x7FF8_0000_0000_0042] as [UInt64]),
            "int8": try Tensor(shape: [3], scalars: [Int8.min, -1, Int8.max]),
            "int16": try Tensor(shape: [3], scalars: [Int16.min, -1, Int16.max]),
            "int32": try Tensor(shape: [3], scalars: [Int32.min, -1, Int32.max]),
            "int64": try Tensor(shape: [3], scalars: [Int64.min, -1, Int64.max]),
            "uint8": try Tensor(shape: [3], scalars: [UInt8.min, 1, UInt8.max]),
            "uint16": try Tensor(shape: [3], scalars: [UInt16.min, 1, UInt16.max]),
            "uint32": try Tensor(shape: [3], scalars: [UInt32.min, 1, UInt32.max]),
            "uint64": try Tensor(shape: [3], scalars: [UInt64.min, 1, UInt64.max]),
            "bool": try Tensor(shape: [2, 2], scalars: [true, false, false, true]),
            "string": try stringTensor(["", "a", "héllo", "日本語"], shape: [2, 2]),
        ]
        let read = try roundTrip(tensors)
        for (path, expected) in tensors {
            let actual = try XCTUnwrap(read[path])
            XCTAssertEqual(actual.dataType, expected.dataType, path)
            XCTAssertEqual(actual.shape, expected.shape, path)
            XCTAssertEqual(actual.bytes, expected.bytes, path)
            XCTAssertEqual(actual.strings, expected.strings, path)
            XCTAssertEqual(actual.name, path)
        }
        XCTAssertEqual(read["bool"]?.scalars(as: Bool.self), [true, false, false, true])
        XCTAssertEqual(read["string"]?.decodedStrings, ["", "a", "héllo", "日本語"])
    }

    func testScalarAndEmptyDatasetsRoundTrip() throws {
        let tensors: [String: Tensor] = [
            "scalar/int64": Tensor(scalar: Int64(-7)),
            "scalar/float16": Tensor(scalar: Float16(0.5)),
            "scalar/bool": Tensor(scalar: true),
            "scalar/string": try stringTensor(["only"], shape: []),
            "empty/float32": try Tensor(shape: [0, 3], scalars: [Float]()),
            "empty/bool": try Tensor(shape: [0], scalars: [Bool]()),
            "empty/string": try stringTensor([], shape: [2, 0]),
        ]
        let read = try roundTrip(tensors)
        for (path, expected) in tensors {
            let actual = try XCTUnwrap(read[path])
            XCTAssertTrue(actual.hasSameContent(as: expected), "\(path): \(actual.dataType) \(actual.shape)")
        }
        XCTAssertEqual(read["scalar/int64"]?.shape, [])
        XCTAssertEqual(read["scalar/int64"]?.scalars(as: Int64.self), [-7])
        XCTAssertEqual(read["scalar/float16"]?.scalars(as: Float16.self), [0.5])
        XCTAssertEqual(read["scalar/string"]?.decodedStrings, ["only"])
        XCTAssertEqual(read["empty/float32"]?.shape, [0, 3])
        XCTAssertEqual(read["empty/string"]?.shape, [2, 0])
    }

    func testNestedGroupsAreCreatedAndListed() throws {
        let url = directory.file("nested.h5")
        let file = try HDF5File(creating: url)
        try file.writeDataset(Tensor(scalar: Float(1)), at: "a/b/c/x")
        try file.writeDataset(Tensor(scalar: Float(2)), at: "/a/y")
        try file.createGroup(at: "a/empty")
        try file.createGroup(at: "a/empty")

        XCTAssertEqual(try file.members(of: "/"), [HDF5Member(name: "a", kind: .group)])
        XCTAssertEqual(try file.members(of: "a"), [
            HDF5Member(name: "b", kind: .group),
            HDF5Member(name: "empty", kind: .group),
            HDF5Member(name: "y", kind: .dataset),
        ])
        XCTAssertEqual(try file.members(of: "a/empty"), [])
        XCTAssertTrue(try file.contains("a//b/c/x/"))
        XCTAssertFalse(try file.contains("a/b/missing"))
        XCTAssertFalse(try file.contains("a/y/below-a-dataset"))
        XCTAssertEqual(try file.readDataset(at: "a/b/c/x").scalars(as: Float.self), [1])

        let all = try file.readDatasets(under: "/")
        XCTAssertEqual(Set(all.keys), ["a/b/c/x", "a/y"])
        XCTAssertEqual(all["a/b/c/x"]?.name, "a/b/c/x")
        XCTAssertEqual(Set(try file.readDatasets(under: "a/b").keys), ["c/x"])
        assertModelFormatError(try file.createGroup(at: "a/y"), containing: [url.path, "'/a/y' is a dataset, not a group"])
    }

    func testAttributesRoundTrip() throws {
        let url = directory.file("attributes.h5")
        let file = try HDF5File(creating: url)
        try file.writeDataset(Tensor(scalar: Int32(1)), at: "group/data")
        try file.writeAttribute("provenance", string: "keras 3 — UTF-8")
        try file.writeAttribute("layer_names", strings: ["dense", "dense_1", ""])
        try file.writeAttribute("no_names", strings: [])
        try file.writeAttribute("epochs", Tensor(scalar: Int64(12)))
        try file.writeAttribute("mean", Tensor(shape: [2], scalars: [Float(0.5), -0.25]), of: "group")
        try file.writeAttribute("flags", Tensor(shape: [2], scalars: [true, false]), of: "group/data")
        try file.writeAttribute("epochs", Tensor(scalar: Int64(13)))
        try file.close()

        let reader = try HDF5File(reading: url)
        XCTAssertEqual(try reader.attributeNames(), ["epochs", "layer_names", "no_names", "provenance"])
        XCTAssertEqual(try reader.attributeNames(of: "group"), ["mean"])
        XCTAssertTrue(try reader.hasAttribute("flags", of: "group/data"))
        XCTAssertFalse(try reader.hasAttribute("flags"))
        XCTAssertEqual(try reader.readStringAttribute("provenance"), "keras 3 — UTF-8")
        XCTAssertEqual(try reader.readStringArrayAttribute("layer_names"), ["dense", "dense_1", ""])
        XCTAssertEqual(try reader.readStringArrayAttribute("no_names"), [])
        XCTAssertEqual(try reader.readStringArrayAttribute("provenance"), ["keras 3 — UTF-8"])
        let epochs = try reader.readAttribute("epochs")
        XCTAssertEqual(epochs.shape, [])
        XCTAssertEqual(epochs.scalars(as: Int64.self), [13])
        XCTAssertEqual(try reader.readAttribute("mean", of: "group").scalars(as: Float.self), [0.5, -0.25])
        XCTAssertEqual(try reader.readAttribute("flags", of: "group/data").scalars(as: Bool.self), [true, false])
    }

    func testCreatingRefusesToOverwriteUnlessTold() throws {
        let url = directory.file("existing.h5")
        let first = try HDF5File(creating: url)
        try first.writeDataset(Tensor(scalar: Int8(1)), at: "x")
        try first.close()

        assertModelFormatError(try HDF5File(creating: url), containing: [url.path, "already exists", "overwrite"])
        XCTAssertEqual(try HDF5File(reading: url).readDataset(at: "x").scalars(as: Int8.self), [1])

        let replaced = try HDF5File(creating: url, overwrite: true)
        XCTAssertEqual(try replaced.members(), [])
    }

    func testReadOnlyFileRefusesWrites() throws {
        let url = directory.file("read-only.h5")
        try HDF5File(creating: url).close()
        let file = try HDF5File(reading: url)
        XCTAssertFalse(file.isWritable)
        assertModelFormatError(try file.writeDataset(Tensor(scalar: Float(1)), at: "x"),
                               containing: [url.path, "dataset '/x'", "read-only"])
        assertModelFormatError(try file.writeAttribute("a", string: "b"), containing: [url.path, "attribute 'a' of '/'", "read-only"])
        assertModelFormatError(try file.createGroup(at: "g"), containing: [url.path, "'/g'", "read-only"])
    }

    func testUpdatingAddsToAnExistingFile() throws {
        let url = directory.file("update.h5")
        let writer = try HDF5File(creating: url)
        try writer.writeDataset(Tensor(shape: [2], scalars: [Float(1), 2]), at: "inputs/x")
        try writer.close()

        let updater = try HDF5File(updating: url)
        try updater.writeDataset(Tensor(shape: [1], scalars: [Float(3)]), at: "outputs/y")
        try updater.writeAttribute("provenance", string: "onnxruntime 1.20")
        try updater.close()

        let reader = try HDF5File(reading: url)
        XCTAssertEqual(try reader.readDataset(at: "inputs/x").scalars(as: Float.self), [1, 2])
        XCTAssertEqual(try reader.readDataset(at: "outputs/y").scalars(as: Float.self), [3])
        XCTAssertEqual(try reader.readStringAttribute("provenance"), "onnxruntime 1.20")
    }

    func testUnwritableTensorsAreRefusedAndLeaveNothingBehind() throws {
        let url = directory.file("refused.h5")
        let file = try HDF5File(creating: url)
        let bfloat = try tensor(.bfloat16, shape: [1], bits: [0x3F80] as [UInt16])
        assertModelFormatError(try file.writeDataset(bfloat, at: "weights/w"),
                               containing: [url.path, "dataset '/weights/w'", "bfloat16", "float32"])
        assertModelFormatError(try file.writeDataset(stringTensor(["ok", "nul\u{0}inside"], shape: [2]), at: "text"),
                               containing: [url.path, "dataset '/text'", "element 1", "NUL"])
        XCTAssertFalse(try file.contains("text"))
        XCTAssertFalse(try file.contains("weights/w"))

        try file.writeDataset(Tensor(scalar: Float(1)), at: "x")
        assertModelFormatError(try file.writeDataset(Tensor(scalar: Float(2)), at: "x"),
                               containing: [url.path, "dataset '/x'", "already exists"])
        assertModelFormatError(try file.writeDataset(Tensor(scalar: Float(2)), at: "/"), containing: [url.path, "root"])
        XCTAssertEqual(try file.readDataset(at: "x").scalars(as: Float.self), [1])
    }

    func testClosedFileThrowsAndCloseTwiceIsHarmless() throws {
        let url = directory.file("closed.h5")
        let file = try HDF5File(creating: url)
        try file.writeDataset(Tensor(scalar: Float(1)), at: "x")
        try file.close()
        try file.close()
        XCTAssertFalse(file.isOpen)
        assertModelFormatError(try file.readDataset(at: "x"), containing: [url.path, "closed"])
    }
}
