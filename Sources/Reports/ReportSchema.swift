/// Identifiers of the report formats this version writes.
public enum ReportSchema {
    /// The `schema` field of `report.json`.
    public static let jsonSchema = "modelgate.report/v1"
}
