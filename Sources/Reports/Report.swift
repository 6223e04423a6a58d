import Foundation
import GraphChecker
import Harness

/// `report.json`: run metadata, a summary and one entry per model × path cell
/// (`"schema": "modelgate.report/v1"`, documented in `docs/report-schema.md`).
///
/// Cells are kept in the plan's order (rows = `metadata.models`, columns = `metadata.paths`), so
/// the same run gives the same file apart from timings and timestamps.
public struct Report: Sendable, Hashable, Codable {
    public var schema: String
    public var metadata: RunMetadata
    public var summary: Summary
    public var cells: [Cell]

    /// Verdict counts.
    public struct Summary: Sendable, Hashable, Codable {
        public var cells: Int
        public var passed: Int
        public var failed: Int
        public var errors: Int

        public init(cells: [Cell]) {
            self.cells = cells.count
            passed = cells.count { $0.verdict.status == .pass }
            failed = cells.count { $0.verdict.status == .fail }
            errors = cells.count { $0.verdict.status == .error }
        }
    }

    /// The report of a run: cells sorted into plan order, summary counted, `incomplete` set when
    /// fewer cells than planned are present.
    public init(metadata: RunMetadata, cells: [Cell]) {
        schema = ReportSchema.jsonSchema
        var metadata = metadata
        let sorted = Self.sorted(cells, models: metadata.models, paths: metadata.paths)
        metadata.incomplete = metadata.incomplete || sorted.count < metadata.plannedCells
        self.metadata = metadata
        self.cells = sorted
        summary = Summary(cells: sorted)
    }

    /// The seam between the runner and the reports: judges every finished cell with `Gates`
    /// (latency budgets enforced when `metadata.latencyGated`) and assembles the report.
    public init(metadata: RunMetadata, results: [CellResult]) {
        let gates = Gates(latency: metadata.latencyGated)
        self.init(metadata: metadata, cells: results.map { Cell(result: $0, verdict: gates.verdict(for: $0)) })
    }

    /// True when no cell failed or errored (the `run` exit status 0).
    public var passed: Bool { summary.failed == 0 && summary.errors == 0 }

    public func cell(model: String, path: String) -> Cell? {
        cells.first { $0.model == model && $0.path == path }
    }

    static func sorted(_ cells: [Cell], models: [String], paths: [String]) -> [Cell] {
        let modelRank = Dictionary(models.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let pathRank = Dictionary(paths.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return cells.sorted { a, b in
            let left = (modelRank[a.model] ?? Int.max, a.model, pathRank[a.path] ?? Int.max, a.path)
            let right = (modelRank[b.model] ?? Int.max, b.model, pathRank[b.path] ?? Int.max, b.path)
            return left < right
        }
    }
}

extension Report {
    /// One model × path cell: everything the runner measured plus the verdict. Encoded flat: the
    /// fields of `CellResult` next to `verdict` and `reasons`.
    public struct Cell: Sendable, Hashable, Codable {
        public var result: CellResult
        public var verdict: Verdict

        public init(result: CellResult, verdict: Verdict) {
            self.result = result
            self.verdict = verdict
        }

        public var model: String { result.model }
        public var path: String { result.path }
        public var key: CellKey { result.key }

        private enum CodingKeys: String, CodingKey {
            case verdict, reasons
        }

        public init(from decoder: any Decoder) throws {
            result = try CellResult(from: decoder)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            verdict = Verdict(status: try container.decode(Verdict.Status.self, forKey: .verdict),
                              reasons: try container.decode([String].self, forKey: .reasons))
        }

        public func encode(to encoder: any Encoder) throws {
            try result.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(verdict.status, forKey: .verdict)
            try container.encode(verdict.reasons, forKey: .reasons)
        }
    }
}
