import Harness

/// Identifiers of the report formats this version writes.
public enum ReportSchema {
    /// The `schema` field of `report.json`.
    public static let jsonSchema = "modelgate.report/v1"
    /// The version of ModelGate recorded in every report (the `modelgate --version` string).
    public static let toolVersion = ToolVersion.current
}
