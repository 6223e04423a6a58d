import Foundation
import Harness

/// Inline SVG charts for `report.html`: no scripts, no external references, every mark with a
/// `<title>` tooltip.
enum SVGChart {
    /// One point of the accuracy-loss-versus-size scatter.
    struct Point {
        var label: String
        var x: Double
        var y: Double
        var status: Verdict.Status
        var target: String
    }

    /// One bar of the latency chart.
    struct Bar {
        var label: String
        var p50: Double
        var p90: Double
        var status: Verdict.Status
        var target: String
    }

    /// A scatter of accuracy loss (points, y) against size ratio to fp32 (x).
    static func scatter(_ points: [Point], xLabel: String, yLabel: String) -> String {
        let width = 640.0, height = 340.0
        let left = 64.0, right = 20.0, top = 16.0, bottom = 48.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let xMax = niceCeiling(max(1.05, (points.map(\.x).max() ?? 1) * 1.05))
        let yMin = min(0, niceFloor((points.map(\.y).min() ?? 0) * 1.1))
        let yMax = niceCeiling(max(0.5, (points.map(\.y).max() ?? 0) * 1.1))
        func px(_ x: Double) -> Double { left + x / xMax * plotWidth }
        func py(_ y: Double) -> Double { top + (yMax - y) / (yMax - yMin) * plotHeight }
        var svg = [#"<svg class="chart" role="img" aria-label="\#(Markup.escape(yLabel)) versus \#(Markup.escape(xLabel))" viewBox="0 0 \#(f(width)) \#(f(height))" width="\#(f(width))" height="\#(f(height))">"#]
        for tick in ticks(from: 0, to: xMax) {
            svg.append(#"<line class="grid" x1="\#(f(px(tick)))" y1="\#(f(top))" x2="\#(f(px(tick)))" y2="\#(f(top + plotHeight))"/>"#)
            svg.append(#"<text class="tick" x="\#(f(px(tick)))" y="\#(f(top + plotHeight + 16))" text-anchor="middle">\#(tickLabel(tick))</text>"#)
        }
        for tick in ticks(from: yMin, to: yMax) {
            svg.append(#"<line class="grid" x1="\#(f(left))" y1="\#(f(py(tick)))" x2="\#(f(left + plotWidth))" y2="\#(f(py(tick)))"/>"#)
            svg.append(#"<text class="tick" x="\#(f(left - 6))" y="\#(f(py(tick) + 4))" text-anchor="end">\#(tickLabel(tick))</text>"#)
        }
        svg.append(#"<line class="axis" x1="\#(f(left))" y1="\#(f(py(0)))" x2="\#(f(left + plotWidth))" y2="\#(f(py(0)))"/>"#)
        svg.append(#"<line class="axis" x1="\#(f(px(1)))" y1="\#(f(top))" x2="\#(f(px(1)))" y2="\#(f(top + plotHeight))" stroke-dasharray="4 3"/>"#)
        svg.append(#"<text class="label" x="\#(f(left + plotWidth / 2))" y="\#(f(height - 8))" text-anchor="middle">\#(Markup.escape(xLabel))</text>"#)
        svg.append(#"<text class="label" x="14" y="\#(f(top + plotHeight / 2))" text-anchor="middle" transform="rotate(-90 14 \#(f(top + plotHeight / 2)))">\#(Markup.escape(yLabel))</text>"#)
        for point in points {
            svg.append(##"<a href="#\##(point.target)"><circle class="dot \##(point.status.rawValue)" cx="\##(f(px(point.x)))" cy="\##(f(py(point.y)))" r="5"><title>\##(Markup.escape(point.label))</title></circle></a>"##)
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    /// Horizontal bars of p50 latency with a tick at p90. The scale ends at the slowest p90 or at
    /// twice the slowest p50, whichever is smaller, so one noisy p90 cannot flatten every bar; a
    /// p90 beyond it sits at the right edge (its value is printed beside the bar).
    static func latencyBars(_ bars: [Bar]) -> String {
        let labelWidth = 240.0, barArea = 320.0, valueWidth = 240.0, rowHeight = 22.0
        let width = labelWidth + barArea + valueWidth
        let height = rowHeight * Double(bars.count) + 8
        let slowestP50 = bars.map(\.p50).max() ?? 1
        let maximum = max(min(bars.map { max($0.p50, $0.p90) }.max() ?? 1, 2 * slowestP50), 1e-9)
        var svg = [#"<svg class="chart" role="img" aria-label="latency per cell" viewBox="0 0 \#(f(width)) \#(f(height))" width="\#(f(width))" height="\#(f(height))">"#]
        for (index, bar) in bars.enumerated() {
            let y = 4 + Double(index) * rowHeight
            let p50 = min(bar.p50 / maximum, 1) * barArea, p90 = min(bar.p90 / maximum, 1) * barArea
            let tip = "\(bar.label): p50 \(Gates.number(bar.p50, digits: 4)) ms, p90 \(Gates.number(bar.p90, digits: 4)) ms"
            svg.append(##"<a href="#\##(bar.target)"><g><title>\##(Markup.escape(tip))</title>"##)
            let label = bar.label.count > 38 ? bar.label.prefix(37) + "…" : bar.label
            svg.append(#"<text class="tick" x="\#(f(labelWidth - 6))" y="\#(f(y + 14))" text-anchor="end">\#(Markup.escape(label))</text>"#)
            svg.append(#"<rect class="bar \#(bar.status.rawValue)" x="\#(f(labelWidth))" y="\#(f(y + 3))" width="\#(f(max(p50, 1)))" height="\#(f(rowHeight - 8))"/>"#)
            svg.append(#"<line class="p90" x1="\#(f(labelWidth + p90))" y1="\#(f(y + 1))" x2="\#(f(labelWidth + p90))" y2="\#(f(y + rowHeight - 3))"/>"#)
            svg.append(#"<text class="tick" x="\#(f(labelWidth + barArea + 8))" y="\#(f(y + 14))">p50 \#(Gates.number(bar.p50, digits: 4)) · p90 \#(Gates.number(bar.p90, digits: 4)) ms</text>"#)
            svg.append("</g></a>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    /// Column chart of an error histogram (counts on a square-root scale so small bins show).
    static func histogram(_ histogram: ErrorHistogram) -> String {
        let columnWidth = 30.0, plotHeight = 70.0, labelHeight = 28.0
        let width = columnWidth * Double(histogram.bins.count) + 8
        let height = plotHeight + labelHeight
        let maximum = Double(histogram.bins.map(\.count).max() ?? 0)
        var svg = [#"<svg class="chart histogram" role="img" aria-label="absolute error histogram" viewBox="0 0 \#(f(width)) \#(f(height))" width="\#(f(width))" height="\#(f(height))">"#]
        for (index, bin) in histogram.bins.enumerated() {
            let x = 4 + Double(index) * columnWidth
            let barHeight = maximum > 0 ? (Double(bin.count) / maximum).squareRoot() * (plotHeight - 12) : 0
            let tone = index == histogram.bins.count - 1 ? "error" : (index >= histogram.bins.count - 2 ? "fail" : "pass")
            svg.append(#"<g><title>|error| \#(Markup.escape(bin.label)): \#(bin.count)</title>"#)
            svg.append(#"<rect class="bar \#(tone)" x="\#(f(x + 3))" y="\#(f(plotHeight - barHeight))" width="\#(f(columnWidth - 6))" height="\#(f(barHeight))"/>"#)
            if bin.count > 0 {
                svg.append(#"<text class="tiny" x="\#(f(x + columnWidth / 2))" y="\#(f(plotHeight - barHeight - 2))" text-anchor="middle">\#(bin.count)</text>"#)
            }
            svg.append(#"<text class="tiny" x="\#(f(x + columnWidth / 2))" y="\#(f(plotHeight + 12))" text-anchor="middle">\#(Markup.escape(shortLabel(index, histogram.bins.count)))</text>"#)
            svg.append("</g>")
        }
        svg.append(#"<text class="tiny" x="4" y="\#(f(height - 2))">log10 |actual − golden|</text>"#)
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    private static func shortLabel(_ index: Int, _ count: Int) -> String {
        switch index {
        case 0: "0"
        case 1: "<-9"
        case count - 2: "≥0"
        case count - 1: "∞/NaN"
        default: "\(index - 11)"
        }
    }

    // MARK: Scales

    static func f(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let magnitude = pow(10, (log10(value)).rounded(.down))
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }

    static func niceFloor(_ value: Double) -> Double {
        value >= 0 ? 0 : -niceCeiling(-value)
    }

    static func ticks(from low: Double, to high: Double) -> [Double] {
        let step = niceCeiling((high - low) / 5)
        var result: [Double] = []
        var tick = (low / step).rounded(.up) * step
        while tick <= high + step * 1e-9 {
            result.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return result
    }

    private static func tickLabel(_ value: Double) -> String {
        Gates.number(value, digits: 3)
    }
}
