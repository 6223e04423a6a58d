import Foundation
@testable import Harness
import XCTest

/// A user's converter command, as the shell runs it.
final class ExternalPathTests: XCTestCase {
    func testPlaceholdersSurviveSpacesQuotesAndDollars() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ext it's $HOME \(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in put's.onnx")
        let output = folder.appendingPathComponent("out `x`.onnx")
        try Data("model".utf8).write(to: input)
        let path = ExternalPath(name: "copy", command: "cp {input} {output} && echo done")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", path.shellCommand(input: input, output: output)]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(try Data(contentsOf: output), Data("model".utf8))
        XCTAssertEqual(ExternalPath.shellQuoted("a'b"), #"'a'\''b'"#)
        XCTAssertEqual(ExternalPath.Format.tflite.fileExtension, "tflite")
    }
}
