import Foundation

/// The committed test fixtures under `Tests/Fixtures/`, found relative to this source file so
/// tests run from any working directory.
public enum Fixtures {
    /// `Tests/Fixtures/`.
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures", isDirectory: true)

    /// The fixture at `path` relative to `Tests/Fixtures/`, such as `"hdf5/golden.h5"`.
    public static func url(_ path: String) -> URL {
        directory.appendingPathComponent(path)
    }
}
