import Foundation

/// Locations of test data: the repository's committed fixtures and the generated ONNX suite.
public enum FixturePaths {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures/`.
    public static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    /// The committed fixture at `path` relative to `Tests/Fixtures/`, such as `"hdf5/golden.h5"`.
    public static func fixture(_ path: String) -> URL {
        fixtures.appendingPathComponent(path)
    }

    /// `.cache/onnx-suite/`, written by `Tools/onnx-suite.sh` (`make test` runs it).
    public static let onnxSuite = repositoryRoot.appendingPathComponent(".cache/onnx-suite")

    /// The Python of the tools venv (`Tools/python-env.sh`), if it exists.
    public static var python: URL? {
        let url = repositoryRoot.appendingPathComponent(".cache/venv/bin/python")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    /// The case folders (`<suite>/<case>/model.onnx`) of one suite, sorted by name.
    /// - Throws: `FixtureError.missingSuite` with the command that makes it.
    public static func suiteCases(_ suite: String) throws -> [URL] {
        let folder = onnxSuite.appendingPathComponent(suite)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !names.isEmpty else {
            throw FixtureError.missingSuite(folder.path)
        }
        return names.sorted().map { folder.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model.onnx").path) }
    }
}

public enum FixtureError: Error, CustomStringConvertible {
    case missingSuite(String)
    case missingPython

    public var description: String {
        switch self {
        case .missingSuite(let path): "the ONNX test suite is missing at \(path); run `bash Tools/onnx-suite.sh` (make test does)"
        case .missingPython: "the tools venv is missing; run `source Tools/python-env.sh` (make test does)"
        }
    }
}
