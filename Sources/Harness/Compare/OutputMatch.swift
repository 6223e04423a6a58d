/// How an output's values are paired with its golden values before they are compared, as
/// `match:` in `corpus.yml` spells it.
public enum OutputMatch: String, Sendable, Hashable, Codable, CaseIterable {
    /// Element by element in row-major order (what an output gets when `match:` is absent).
    case elements
    /// A list of detections, one per row: the last axis holds one detection's values (box, score,
    /// class, …), the axis before it lists the detections, and any axes before that are samples.
    /// Rows are paired with golden rows within each sample, nearest first, so detections that
    /// swap places (near-tie scores) are compared with their counterparts; the order is not judged.
    case detections
    /// One value per detection (scores or classes of shape `[N, K]` or `[K]`): the last axis lists
    /// the detections and each is a single value, paired like `detections`.
    case detectionValues = "detection_values"

    /// The names `corpus.yml` accepts, for error messages.
    public static let names = allCases.map(\.rawValue)
}
