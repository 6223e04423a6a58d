import Foundation
import Harness

/// Progress on standard error: a bar redrawn in place on a terminal, else one line per finished cell.
public final class RunProgress {
    let total: Int
    let gates: Gates
    let isTerminal = isatty(STDERR_FILENO) != 0
    private var done = 0
    private var failing = 0

    public init(total: Int, gates: Gates) {
        self.total = total
        self.gates = gates
        if isTerminal && total > 0 { write("\r\(Self.bar(0, of: total)) 0/\(total)") }
    }

    static func bar(_ done: Int, of total: Int, width: Int = 30) -> String {
        let filled = total > 0 ? width * done / total : width
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }

    public func finished(_ result: CellResult) {
        done += 1
        let verdict = gates.verdict(for: result)
        if verdict.isFailure { failing += 1 }
        let cell = "\(result.model) × \(result.path)"
        if isTerminal {
            write("\r\u{1B}[K\(Self.bar(done, of: total)) \(done)/\(total)  \(failing) failing  \(cell) \(verdict.status.rawValue)")
        } else {
            let reason = verdict.isFailure ? "  " + (verdict.reasons.first ?? "") : ""
            let cached = result.cache.map { ", cached \($0.rawValue)" } ?? ""
            write("[\(done)/\(total)] \(cell): \(verdict.status.rawValue) (\(String(format: "%.1f", result.durationSeconds)) s\(cached))\(reason)\n")
        }
    }

    public func end() {
        if isTerminal && done > 0 { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
