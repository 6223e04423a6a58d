import Dispatch
import Foundation
import Harness

/// Turns SIGINT into a `RunStop` request (with a note on standard error) instead of ending the
/// process: the first lets running workers exit on SIGTERM, a second kills them at once. Workers
/// started after this ignore SIGINT (a terminal's Ctrl-C reaches its whole process group); `run`
/// stops them itself.
final class InterruptHandler {
    /// The exit status of a run stopped by an interrupt (128 + SIGINT), as shells report Ctrl-C.
    static let exitStatus: Int32 = 128 + SIGINT

    let stop = RunStop()
    private let source: DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [stop] in
            if stop.isRequested {
                stop.requestImmediately()
                return
            }
            stop.request()
            FileHandle.standardError.write(Data("\ninterrupted: stopping the running cells and writing the report of the finished ones (interrupt again to kill them at once)\n".utf8))
        }
        source.resume()
    }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
