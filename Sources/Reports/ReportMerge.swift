import Foundation
import Harness

extension Report {
    /// Combines the reports of sharded runs of one corpus into one report.
    ///
    /// Cells keep the plan's order; timings add up; the start is the earliest, the finish the
    /// latest. The result is `incomplete` while fewer cells than planned are present.
    /// - Parameters:
    ///   - names: file names for error messages, parallel to `reports`.
    ///   - allowPartial: merge shards of one run even when some of its shards are missing (the
    ///     result is marked incomplete) instead of refusing.
    /// - Throws: `ReportError.mismatchedReports` for reports of different corpora, plans or
    ///   overlapping cells, and for shards of a run that lack some of its shards (naming them).
    public static func merged(_ reports: [Report], names: [String]? = nil, allowPartial: Bool = false) throws(ReportError) -> Report {
        guard let first = reports.first else { throw .mismatchedReports("merge needs at least one report") }
        let names = names ?? reports.indices.map { "report \($0 + 1)" }
        for (index, report) in reports.enumerated().dropFirst() {
            let name = names[index]
            guard report.schema == first.schema else {
                throw .mismatchedReports("\(name) has schema '\(report.schema)' but \(names[0]) has '\(first.schema)'")
            }
            guard report.metadata.corpus.manifestDigest == first.metadata.corpus.manifestDigest else {
                throw .mismatchedReports("\(name) is a run of another corpus manifest (\(report.metadata.corpus.path), digest "
                                         + "\(report.metadata.corpus.manifestDigest)) than \(names[0]) (\(first.metadata.corpus.path), digest "
                                         + "\(first.metadata.corpus.manifestDigest)); merge combines shards of one run")
            }
            guard report.metadata.plannedCells == first.metadata.plannedCells, report.metadata.paths == first.metadata.paths,
                  report.metadata.models == first.metadata.models else {
                throw .mismatchedReports("\(name) was planned with other models or paths than \(names[0]); run every shard with the same --paths")
            }
        }
        var seen: [CellKey: String] = [:]
        var cells: [Cell] = []
        for (index, report) in reports.enumerated() {
            for cell in report.cells {
                if let other = seen[cell.key] {
                    throw .mismatchedReports("cell \(cell.key) is in both \(other) and \(names[index]); merge combines disjoint shards")
                }
                seen[cell.key] = names[index]
                cells.append(cell)
            }
        }
        let shardsSeen = reports.flatMap { $0.metadata.mergedShards ?? ($0.metadata.shard.map { [$0] } ?? []) }
        if !allowPartial, let count = shardsSeen.first?.count, shardsSeen.allSatisfy({ $0.count == count }) {
            let missing = Set(1...count).subtracting(shardsSeen.map(\.index)).sorted()
            if !missing.isEmpty {
                throw .mismatchedReports("shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) "
                                         + "of this run \(missing.count == 1 ? "is" : "are") missing (the reports hold "
                                         + "\(shardsSeen.sorted { $0.index < $1.index }.map(\.description).joined(separator: ", "))); "
                                         + "merge them all, or pass --allow-partial for a report marked incomplete")
            }
        }
        var metadata = first.metadata
        let starts = reports.map(\.metadata.startedAt)
        metadata.startedAt = starts.min { (RunMetadata.date(from: $0) ?? .distantFuture) < (RunMetadata.date(from: $1) ?? .distantFuture) } ?? metadata.startedAt
        let finishes = reports.compactMap(\.metadata.finishedAt)
        metadata.finishedAt = finishes.max { (RunMetadata.date(from: $0) ?? .distantPast) < (RunMetadata.date(from: $1) ?? .distantPast) }
        metadata.durationSeconds = reports.reduce(0) { $0 + $1.metadata.durationSeconds }
        metadata.mergedShards = shardsSeen.isEmpty ? nil : shardsSeen.sorted { ($0.count, $0.index) < ($1.count, $1.index) }
        metadata.shard = nil
        metadata.runId = first.metadata.runId.components(separatedBy: "-shard").first ?? first.metadata.runId
        metadata.latencyGated = reports.allSatisfy(\.metadata.latencyGated)
        metadata.incomplete = cells.count < metadata.plannedCells
        metadata.shardSource = nil
        metadata.interrupted = reports.contains { $0.metadata.interrupted == true } ? true : nil
        return Report(metadata: metadata, cells: cells)
    }
}
