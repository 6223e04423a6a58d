import Foundation

/// Something to fuzz: seed files to start from and a function that must accept any bytes without
/// crashing (throwing an error is fine: that is the expected answer to a damaged file).
protocol FuzzTarget {
    var name: String { get }
    /// Valid files the mutations start from.
    func seeds(root: URL) -> [URL]
    /// Processes one input, as ModelGate processes a file of that kind.
    func run(_ bytes: [UInt8]) throws
}
