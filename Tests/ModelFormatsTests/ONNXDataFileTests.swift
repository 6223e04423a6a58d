import Foundation
import ModelFormats
import ModelIR
import XCTest

final class ONNXDataFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testTensorRoundTripKeepsNameTypeAndValues() throws {
        let url = folder.appendingPathComponent("input_0.pb")
        let tensor = try Tensor(shape: [2, 2], scalars: [Float(1), 2, 3, 4])
        try ONNXDataFile.save(.tensor(tensor), name: "x", to: url)
        let (name, value) = try ONNXDataFile.load(url, as: nil)
        XCTAssertEqual(name, "x")
        guard case .tensor(let loaded) = value else { return XCTFail("expected a tensor") }
        XCTAssertEqual(loaded.shape, [2, 2])
        XCTAssertEqual(loaded.scalars(as: Float.self), [1, 2, 3, 4])
        // A plain TensorProto file reads the same through TensorProtoFile.
        XCTAssertEqual(try TensorProtoFile.load(url).scalars(as: Float.self), [1, 2, 3, 4])
    }

    func testSequenceRoundTrip() throws {
        let url = folder.appendingPathComponent("seq.pb")
        let a = try Tensor(shape: [1], scalars: [Int64(7)]), b = try Tensor(shape: [2], scalars: [Int64(8), 9])
        try ONNXDataFile.save(.sequence([.tensor(a), .tensor(b)]), name: "s", to: url)
        let (name, value) = try ONNXDataFile.load(url, as: .sequence(.tensor(elementType: .int64, shape: nil)))
        XCTAssertEqual(name, "s")
        guard case .sequence(let elements) = value, elements.count == 2, case .tensor(let second) = elements[1] else {
            return XCTFail("expected a sequence of two tensors")
        }
        XCTAssertEqual(second.scalars(as: Int64.self), [8, 9])
    }

    func testOptionalRoundTripEmptyAndFull() throws {
        let empty = folder.appendingPathComponent("empty.pb"), full = folder.appendingPathComponent("full.pb")
        try ONNXDataFile.save(.optional(nil), name: "o", to: empty)
        try ONNXDataFile.save(.optional(.tensor(Tensor(scalar: Float(2.5)))), name: "o", to: full)
        let type = ValueType.optional(.tensor(elementType: .float, shape: nil))
        guard case .optional(nil) = try ONNXDataFile.load(empty, as: type).value else { return XCTFail("expected an empty optional") }
        guard case .optional(.tensor(let tensor)?) = try ONNXDataFile.load(full, as: type).value else { return XCTFail("expected a value") }
        XCTAssertEqual(tensor.scalars(as: Float.self), [2.5])
    }

    func testGarbageIsAMalformedFileError() throws {
        let url = folder.appendingPathComponent("bad.pb")
        try Data([0xFF, 0xFF, 0xFF]).write(to: url)
        XCTAssertThrowsError(try ONNXDataFile.load(url, as: .sequence(nil))) { error in
            XCTAssertTrue(String(describing: error).contains("bad.pb"), "\(error)")
        }
    }
}
