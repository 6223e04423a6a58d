import Dispatch
import Foundation
import Harness

/// Turns the first SIGINT into a `RunStop` request (with a note on standard error) instead of
/// ending the process; the second SIGINT ends it at once, as usual.
final class InterruptHandler {
    /// The exit status of a run stopped by an interrupt (128 + SIGINT), as shells report Ctrl-C.
    static let exitStatus: Int32 = 128 + SIGINT

    let stop = RunStop()
    private let source: DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [stop] in
            guard !stop.isRequested else { return }
            stop.request()
            signal(SIGINT, SIG_DFL)
            FileHandle.standardError.write(Data("\ninterrupted: stopping the running cells and writing the report of the finished ones (interrupt again to quit at once)\n".utf8))
        }
        source.resume()
    }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
