import Foundation

/// A request to stop a run early, such as an interrupt (SIGINT): set from any thread, read by the
/// `Runner` between cells.
public final class RunStop: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private var urgent = false

    public init() {}

    /// True once `request()` has been called.
    public var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }

    /// True once `requestImmediately()` has been called.
    public var isImmediate: Bool {
        lock.lock()
        defer { lock.unlock() }
        return urgent
    }

    /// Asks the run to stop: no further cell starts and running workers are stopped.
    public func request() {
        lock.lock()
        requested = true
        lock.unlock()
    }

    /// Asks the run to stop without giving running workers time to exit: they are killed.
    public func requestImmediately() {
        lock.lock()
        requested = true
        urgent = true
        lock.unlock()
    }
}
