/// ModelGate's version: in `--version`, every report, and every cell cache key.
public enum ToolVersion {
    public static let current = "0.1.0"
}
