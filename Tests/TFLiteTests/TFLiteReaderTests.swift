import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// The FlatBuffers reader refuses damaged files with an error naming the file, never a trap.
final class TFLiteReaderTests: XCTestCase {
    private func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: TFLiteFixture(name: name).modelURL))
    }

    private func loadError(_ bytes: [UInt8], file: String = "damaged.tflite") -> ModelFormatError? {
        do {
            _ = try TFLiteModelFile.load(bytes: bytes, file: file)
            return nil
        } catch {
            return error
        }
    }

    func testEveryTruncationIsAnErrorNamingTheFile() throws {
        let original = try bytes("matmul")
        for length in 0..<original.count {
            let error = try XCTUnwrap(loadError(Array(original.prefix(length))), "a \(length)-byte prefix loaded")
            XCTAssertTrue(error.description.hasPrefix("damaged.tflite: "), error.description)
        }
        XCTAssertNil(loadError(original))
    }

    func testFlippedBitsAreErrorsOrModels() throws {
        let original = try bytes("gru_while")
        var refused = 0
        for position in stride(from: 0, to: original.count, by: 7) {
            var copy = original
            copy[position] ^= UInt8(1) << UInt8(position % 8)
            if let error = loadError(copy) {
                refused += 1
                XCTAssertTrue(error.description.hasPrefix("damaged.tflite: "), error.description)
            }
        }
        XCTAssertGreaterThan(refused, 10)
    }

    func testOtherIdentifierIsNotATFLiteModel() throws {
        var copy = try bytes("reductions")
        copy.replaceSubrange(4..<8, with: Array("ABCD".utf8))
        let error = try XCTUnwrap(loadError(copy))
        XCTAssertEqual(error.description, "damaged.tflite: not a valid model file: file identifier is 'ABCD', not TFL3: not a TensorFlow Lite model")
    }

    func testOutOfBoundsRootOffsetSaysWhatIsOutside() throws {
        var copy = try bytes("reductions")
        copy.replaceSubrange(0..<4, with: [0xF0, 0xFF, 0xFF, 0x0F])
        let error = try XCTUnwrap(loadError(copy))
        XCTAssertTrue(error.description.contains("the root table at byte"), error.description)
        XCTAssertTrue(error.description.contains("lies outside the \(copy.count)-byte file"), error.description)
    }
}

/// Operators the importer does not convert are named by their schema name, with their index,
/// subgraph and the operators ModelGate imports.
final class TFLiteUnsupportedOperatorTests: XCTestCase {
    func testUnsupportedOperatorIsNamedWithTheImportedOnes() throws {
        let url = TFLiteFixture(name: "unsupported_bucketize").modelURL
        XCTAssertThrowsError(try TFLiteModelFile.load(url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("\(url.path): operator 0 (BUCKETIZE) of subgraph 0 'main': BUCKETIZE is not imported; "), message)
            XCTAssertFalse(message.contains("147"), "the extended builtin code appears by name only: \(message)")
            let imported = message.components(separatedBy: "ModelGate imports ").last?.components(separatedBy: ", ") ?? []
            XCTAssertEqual(imported.count, 105, message)
            for name in ["ADD", "UNIDIRECTIONAL_SEQUENCE_LSTM", "REVERSE_V2", "SELECT_V2", "REDUCE_MAX", "WHILE", "SPACE_TO_BATCH_ND", "ZEROS_LIKE"] {
                XCTAssertTrue(imported.contains(name), "\(name) missing from \(imported)")
            }
            XCTAssertFalse(imported.contains("BUCKETIZE"))
            XCTAssertEqual(imported, imported.sorted())
        }
    }
}
