import Foundation

/// A request to stop a run early, such as an interrupt (SIGINT): set from any thread, read by the
/// `Runner` between cells.
public final class RunStop: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    public init() {}

    /// True once `request()` has been called.
    public var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }

    /// Asks the run to stop: no further cell starts and running workers are stopped.
    public func request() {
        lock.lock()
        requested = true
        lock.unlock()
    }
}
