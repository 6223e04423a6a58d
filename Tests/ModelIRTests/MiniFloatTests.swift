import Foundation
import ModelIR
import TestSupport
import XCTest

/// Checks the narrow float codecs against what the onnx package does
/// (`Tests/Fixtures/minifloat/cases.json`, written by `Tools/fixtures/make_minifloat_fixture.py`).
final class MiniFloatTests: XCTestCase {
    struct Cases: Decodable {
        struct Format: Decodable {
            var decode: [[UInt32]]
            var encode_saturate: [[UInt32]]
            var encode_no_saturate: [[UInt32]]
        }
        var formats: [String: Format]
        var bfloat16: [[UInt32]]
    }

    static let cases: Cases? = {
        let url = FixturePaths.fixture("minifloat/cases.json")
        return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(Cases.self, from: $0) }
    }()

    private func format(_ name: String) throws -> Cases.Format {
        let cases = try XCTUnwrap(Self.cases, "Tests/Fixtures/minifloat/cases.json is missing or unreadable")
        return try XCTUnwrap(cases.formats[name])
    }

    private func sameFloat(_ a: Float, _ b: Float) -> Bool {
        a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern
    }

    func testDecodingMatchesONNXForEveryCode() throws {
        let formats: [(String, (UInt8) -> Float)] = [
            ("float8e4m3fn", MiniFloat.e4m3fn.decode), ("float8e4m3fnuz", MiniFloat.e4m3fnuz.decode),
            ("float8e5m2", MiniFloat.e5m2.decode), ("float8e5m2fnuz", MiniFloat.e5m2fnuz.decode),
            ("float4e2m1", MiniFloat.e2m1.decode), ("float6e2m3", MiniFloat.e2m3.decode),
            ("float6e3m2", MiniFloat.e3m2.decode), ("float8e8m0", Float8E8M0.decode),
        ]
        for (name, decode) in formats {
            let table = try format(name).decode
            XCTAssertGreaterThanOrEqual(table.count, 16, name)
            for pair in table {
                let expected = Float(bitPattern: pair[1])
                let actual = decode(UInt8(pair[0]))
                XCTAssertTrue(sameFloat(actual, expected), "\(name) code \(pair[0]): \(actual) != \(expected)")
            }
        }
    }

    func testEncodingMatchesONNXCastWithAndWithoutSaturation() throws {
        let formats: [(String, (Float, Bool) -> UInt8)] = [
            ("float8e4m3fn", { MiniFloat.e4m3fn.encode($0, saturate: $1) }),
            ("float8e4m3fnuz", { MiniFloat.e4m3fnuz.encode($0, saturate: $1) }),
            ("float8e5m2", { MiniFloat.e5m2.encode($0, saturate: $1) }),
            ("float8e5m2fnuz", { MiniFloat.e5m2fnuz.encode($0, saturate: $1) }),
            ("float8e8m0", { Float8E8M0.encode($0, saturate: $1) }),
            ("float4e2m1", { MiniFloat.e2m1.encode($0, saturate: $1) }),
            ("float6e2m3", { MiniFloat.e2m3.encode($0, saturate: $1) }),
            ("float6e3m2", { MiniFloat.e3m2.encode($0, saturate: $1) }),
        ]
        for (name, encode) in formats {
            let cases = try format(name)
            for (saturate, table) in [(true, cases.encode_saturate), (false, cases.encode_no_saturate)] {
                XCTAssertGreaterThan(table.count, 100, name)
                var mismatches: [String] = []
                for pair in table {
                    let input = Float(bitPattern: pair[0])
                    let actual = encode(input, saturate)
                    let expected = UInt8(pair[1])
                    let bothNaN = MiniFloat.format(ofName: name).map { $0.decode(actual).isNaN && $0.decode(expected).isNaN } ?? false
                    if actual != expected && !bothNaN {
                        mismatches.append("\(input) → \(actual), onnx gives \(expected)")
                    }
                }
                XCTAssertTrue(mismatches.isEmpty, "\(name) saturate=\(saturate): \(mismatches.count) mismatches, first: \(mismatches.prefix(5))")
            }
        }
    }

    func testBFloat16RoundsToNearestEvenLikeMLDtypes() throws {
        let table = try XCTUnwrap(Self.cases?.bfloat16)
        XCTAssertGreaterThan(table.count, 300)
        for pair in table {
            let input = Float(bitPattern: pair[0])
            let encoded = BFloat16.encode(input)
            if input.isNaN {
                XCTAssertTrue(BFloat16.decode(encoded).isNaN)
            } else {
                XCTAssertEqual(UInt32(encoded), pair[1], "bfloat16 of \(input)")
            }
        }
    }

    func testTensorConversionPacksSubByteTypesLowBitsFirst() throws {
        let tensor = try Tensor(converting: [1, -2, 7, -8, 3], to: .int4, shape: [5])
        XCTAssertEqual(tensor.byteCount, 3)
        tensor.withUnsafeBytes { bytes in
            XCTAssertEqual(Array(bytes), [0xE1, 0x87, 0x03])
        }
        XCTAssertEqual(try tensor.doubleValues(), [1, -2, 7, -8, 3])

        let uint2 = try Tensor(converting: [3, 0, 1, 2, 1], to: .uint2, shape: [5])
        uint2.withUnsafeBytes { XCTAssertEqual(Array($0), [0b10_01_00_11, 0b01]) }
        XCTAssertEqual(try uint2.doubleValues(), [3, 0, 1, 2, 1])

        let float6 = try Tensor(converting: [0.5, -1, 7.5, 0], to: .float6e2m3, shape: [4])
        XCTAssertEqual(float6.byteCount, 3)
        XCTAssertEqual(try float6.doubleValues(), [0.5, -1, 7.5, 0])
    }
}

extension MiniFloat {
    static func format(ofName name: String) -> MiniFloat? {
        DataType(onnxName: name).flatMap { format(of: $0) }
    }
}
