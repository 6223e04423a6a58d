import Harness
import Passes

/// The per-node sensitivity of an int8 cell, as the HTML report and `modelgate optimize` show it:
/// one row per quantized node, most sensitive first, with its output SQNR when quantized alone,
/// weights only and activations only, its share of the summed noise, and whether `int8-auto`
/// kept it in float32.
public enum SensitivityTable {
    /// An HTML section: a summary line and a table whose columns sort on click.
    static func html(_ s: QuantizationSensitivity) -> String {
        let e = Markup.escape
        var html = ["<h3>Int8 sensitivity</h3>", "<p>\(e(summary(s)))</p>",
                    #"<table class="metrics sortable-rows"><thead><tr>"#
                    + columns.map { #"<th class="sortable" data-type="\#($0.numeric ? "number" : "text")">\#(e($0.title))</th>"# }.joined()
                    + "</tr></thead><tbody>"]
        for node in s.nodes {
            let cells = row(node).map { #"<td data-key="\#(e($0.key))">\#(e($0.text))</td>"# }.joined()
            html.append("<tr\(node.keptFloat ? #" class="kept-float""# : "")>\(cells)</tr>")
        }
        html.append("</tbody></table>")
        return html.joined(separator: "\n")
    }

    /// Plain text: the summary line and a fixed-width table.
    public static func text(_ s: QuantizationSensitivity) -> String {
        var lines = [summary(s), columns.map(\.title).joined(separator: "\t")]
        for node in s.nodes { lines.append(row(node).map(\.text).joined(separator: "\t")) }
        return lines.joined(separator: "\n")
    }

    static func summary(_ s: QuantizationSensitivity) -> String {
        var text = "\(s.nodes.count) quantized nodes, measured alone on \(s.samples) sample\(s.samples == 1 ? "" : "s"); "
            + "output SQNR \(db(s.fullyQuantized)) dB with every node in int8"
        if let met = s.gatesMet {
            text += "; int8-auto kept \(s.keptFloat.count) in float32 (limit \(s.floatLimit ?? 0)), SQNR \(db(s.result)) dB, "
                + "\(met ? "gates met" : "gates not met") after \(s.gateChecks) gate check\(s.gateChecks == 1 ? "" : "s"): \(s.stopReason ?? "")"
        }
        return text
    }

    private static let columns: [(title: String, numeric: Bool)] = [
        ("node", false), ("op", false), ("SQNR alone dB", true), ("weights only dB", true), ("activations only dB", true),
        ("share of noise", true), ("int8-auto", false),
    ]

    private static func row(_ node: NodeSensitivity) -> [(text: String, key: String)] {
        [(node.node, node.node), (node.op, node.op),
         (db(node.alone), key(node.alone)),
         (node.weightsOnly.map(db) ?? "—", node.weightsOnly.map(key) ?? "1e9"),
         (db(node.activationsOnly), key(node.activationsOnly)),
         (Gates.percent(node.share), String(node.share)),
         (node.keptFloat ? "kept float32" : "int8", node.keptFloat ? "0" : "1")]
    }

    private static func db(_ noise: QuantizationNoise) -> String {
        noise.sqnrDB.isFinite ? Gates.number(noise.sqnrDB, digits: 4) : "∞"
    }

    private static func key(_ noise: QuantizationNoise) -> String {
        noise.sqnrDB.isFinite ? String(noise.sqnrDB) : "1e9"
    }
}
