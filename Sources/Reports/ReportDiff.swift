import Foundation
import Harness

/// The regression verdict between two reports of the same corpus: new failures, fixed cells, and
/// accuracy, size and (opt-in) latency changes beyond their thresholds.
public struct ReportDiff: Sendable, Hashable, Codable {
    /// What `diff` counts as a regression.
    public struct Options: Sendable, Hashable, Codable {
        /// Accuracy loss worse by more than this many percentage points.
        public var accuracyPoints: Double = 0.5
        /// Size up by more than this many percent.
        public var sizePercent: Double = 1
        /// Latency p50 up by more than this many percent (only when `latency` is on).
        public var latencyPercent: Double = 10
        /// Latency is noisy on shared CI machines, so its regressions are opt-in.
        public var latency = false

        public init(accuracyPoints: Double = 0.5, sizePercent: Double = 1, latencyPercent: Double = 10, latency: Bool = false) {
            self.accuracyPoints = accuracyPoints
            self.sizePercent = sizePercent
            self.latencyPercent = latencyPercent
            self.latency = latency
        }
    }

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Passed (or was absent) before, fails or errors now.
        case newFailure = "new-failure"
        /// Failed before, passes now.
        case fixed
        /// Failed before and still fails.
        case stillFailing = "still-failing"
        case accuracyLoss = "accuracy-loss"
        case sizeIncrease = "size-increase"
        case latencyIncrease = "latency-increase"
        /// A passing cell the old report did not have.
        case added
        /// A cell of the old report the new one does not have.
        case removed

        public var isRegression: Bool {
            switch self {
            case .newFailure, .accuracyLoss, .sizeIncrease, .latencyIncrease: true
            default: false
            }
        }
    }

    public struct Change: Sendable, Hashable, Codable {
        public var model: String
        public var path: String
        public var kind: Kind
        public var old: String?
        public var new: String?
        public var detail: String
        public var regression: Bool

        public init(model: String, path: String, kind: Kind, old: String?, new: String?, detail: String) {
            self.model = model
            self.path = path
            self.kind = kind
            self.old = old
            self.new = new
            self.detail = detail
            regression = kind.isRegression
        }
    }

    public var oldReport: String
    public var newReport: String
    public var options: Options
    public var changes: [Change]
    public var regressions: Int

    /// True when `diff` exits 1.
    public var hasRegressions: Bool { regressions > 0 }

    /// Compares `new` against `old`, cell by cell.
    ///
    /// - Throws: `ReportError.mismatchedReports` when the reports cover different corpora.
    public init(old: Report, new: Report, oldName: String = "old", newName: String = "new", options: Options = Options()) throws(ReportError) {
        guard old.metadata.corpus.manifestDigest == new.metadata.corpus.manifestDigest || old.metadata.corpus.path == new.metadata.corpus.path else {
            throw .mismatchedReports("\(oldName) covers corpus '\(old.metadata.corpus.path)' (manifest \(old.metadata.corpus.manifestDigest)) "
                                     + "but \(newName) covers '\(new.metadata.corpus.path)' (manifest \(new.metadata.corpus.manifestDigest)); diff compares runs of one corpus")
        }
        oldReport = oldName
        newReport = newName
        self.options = options
        var changes: [Change] = []
        let oldCells = Dictionary(old.cells.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let newKeys = Set(new.cells.map(\.key))
        for cell in new.cells {
            changes += Self.changes(old: oldCells[cell.key], new: cell, options: options)
        }
        for cell in old.cells where !newKeys.contains(cell.key) {
            changes.append(Change(model: cell.model, path: cell.path, kind: .removed, old: cell.verdict.status.rawValue, new: nil,
                                  detail: "not in the new report"))
        }
        self.changes = changes
        regressions = changes.count { $0.regression }
    }

    static func changes(old previous: Report.Cell?, new current: Report.Cell, options: Options) -> [Change] {
        let status = current.verdict.status.rawValue
        func change(_ kind: Kind, old: String?, new: String?, _ detail: String) -> Change {
            Change(model: current.model, path: current.path, kind: kind, old: old, new: new, detail: detail)
        }
        guard let old = previous else {
            return [current.verdict.isFailure
                    ? change(.newFailure, old: nil, new: status, "new cell: " + (current.verdict.reasons.first ?? status))
                    : change(.added, old: nil, new: status, "new cell")]
        }
        let new = current
        var result: [Change] = []
        switch (old.verdict.isFailure, new.verdict.isFailure) {
        case (false, true):
            result.append(change(.newFailure, old: old.verdict.status.rawValue, new: status, new.verdict.reasons.first ?? status))
        case (true, false):
            result.append(change(.fixed, old: old.verdict.status.rawValue, new: status, old.verdict.reasons.first ?? old.verdict.status.rawValue))
        case (true, true):
            result.append(change(.stillFailing, old: old.verdict.status.rawValue, new: status, new.verdict.reasons.first ?? status))
        case (false, false):
            break
        }
        if let before = old.result.accuracy, let after = new.result.accuracy {
            let worse = (after.loss - before.loss) * 100
            if worse > options.accuracyPoints + Self.slack {
                result.append(change(.accuracyLoss, old: "\(Gates.points(before.loss)) pt", new: "\(Gates.points(after.loss)) pt",
                                     String(format: "accuracy loss worse by %.2f points (threshold %g)", worse, options.accuracyPoints)))
            }
        }
        if let before = old.result.size, let after = new.result.size, before.bytes > 0 {
            let growth = (Double(after.bytes) / Double(before.bytes) - 1) * 100
            if growth > options.sizePercent + Self.slack {
                result.append(change(.sizeIncrease, old: "\(before.bytes) B", new: "\(after.bytes) B",
                                     String(format: "size up %.2f %% (threshold %g %%)", growth, options.sizePercent)))
            }
        }
        if options.latency, let before = old.result.latency, let after = new.result.latency, before.p50Ms > 0 {
            let growth = (after.p50Ms / before.p50Ms - 1) * 100
            if growth > options.latencyPercent + Self.slack {
                result.append(change(.latencyIncrease, old: "\(Gates.number(before.p50Ms, digits: 4)) ms", new: "\(Gates.number(after.p50Ms, digits: 4)) ms",
                                     String(format: "latency p50 up %.1f %% (threshold %g %%)", growth, options.latencyPercent)))
            }
        }
        return result
    }

    /// Rounding slack, so that exactly +1 % (1010 bytes after 1000) is not "more than 1 %".
    static let slack = 1e-9

    /// The table `diff` prints.
    public var text: String {
        guard !changes.isEmpty else {
            return "no changes between \(oldReport) and \(newReport)\n0 regressions\n"
        }
        // The REGRESSION marker column appears only when there is something to mark.
        let marked = regressions > 0
        let rows = changes.map { change in
            (marked ? [change.regression ? "REGRESSION" : ""] : [])
                + [change.kind.rawValue, "\(change.model) × \(change.path)", change.old ?? "—", change.new ?? "—", change.detail]
        }
        let header = (marked ? [""] : []) + ["change", "cell", "old", "new", "detail"]
        let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { index, text in
                index == row.count - 1 ? text : text.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var lines = [line(header)] + rows.map(line)
        let fixed = changes.count { $0.kind == .fixed }
        lines.append("\(regressions) regression\(regressions == 1 ? "" : "s"), \(fixed) fixed")
        return lines.joined(separator: "\n") + "\n"
    }

    public func jsonData() throws(ReportError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(self) + Data("\n".utf8) } catch { throw .encoding(String(describing: error)) }
    }
}
