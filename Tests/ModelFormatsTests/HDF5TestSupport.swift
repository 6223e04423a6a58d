import Foundation
import ModelFormats
import ModelIR
import XCTest

extension XCTestCase {
    /// Asserts that `body` throws a `ModelFormatError` whose message contains every one of `parts`.
    func assertModelFormatError<T>(_ body: @autoclosure () throws -> T, containing parts: [String],
                                   file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let formatError = error as? ModelFormatError else {
                return XCTFail("expected a ModelFormatError, got \(type(of: error)): \(error)", file: file, line: line)
            }
            let message = formatError.description
            for part in parts where !message.contains(part) {
                XCTFail("'\(message)' does not mention '\(part)'", file: file, line: line)
            }
        }
    }
}

/// A tensor holding the given element bit patterns (little-endian host), for bit-exact checks.
func tensor<Bits: FixedWidthInteger>(_ dataType: DataType, shape: [Int], bits: [Bits], name: String = "") throws -> Tensor {
    let buffer = bits.withUnsafeBytes { TensorBuffer(copying: $0) }
    return try Tensor(name: name, dataType: dataType, shape: shape, buffer: buffer)
}

/// A string tensor of UTF-8 encoded `strings`.
func stringTensor(_ strings: [String], shape: [Int], name: String = "") throws -> Tensor {
    try Tensor(name: name, shape: shape, strings: strings.map { Array($0.utf8) })
}

extension Tensor {
    /// The stored bytes, for bit-exact comparisons.
    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The strings of a string tensor decoded as UTF-8.
    var decodedStrings: [String]? { strings?.map { String(decoding: $0, as: UTF8.self) } }
}
