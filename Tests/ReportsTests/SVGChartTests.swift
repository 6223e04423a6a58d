import Foundation
import Harness
@testable import Reports
import XCTest

/// The inline charts of `report.html`: the latency bars' scale.
final class SVGChartTests: XCTestCase {
    private func latencyMarks(_ bars: [SVGChart.Bar]) throws -> (widths: [Double], ticks: [Double]) {
        let xml = try XMLCollector.parse(SVGChart.latencyBars(bars))
        let widths = xml.all("rect").compactMap { $0["width"].flatMap(Double.init) }
        let ticks = xml.all("line").filter { $0["class"] == "p90" }.compactMap { $0["x1"].flatMap(Double.init) }
        return (widths, ticks)
    }

    func testLatencyScaleEndsAtTheSlowestP90WhenItIsWithinTwiceTheSlowestP50() throws {
        let bars = [SVGChart.Bar(label: "a × fp32", p50: 2, p90: 3, status: .pass, target: "cell-1"),
                    SVGChart.Bar(label: "a × fp16", p50: 1, p90: 1.5, status: .pass, target: "cell-2")]
        let (widths, ticks) = try latencyMarks(bars)
        // Bar area 320 px from x = 240; the scale ends at 3 ms.
        XCTAssertEqual(widths.count, 2)
        XCTAssertEqual(widths[0], 320 * 2 / 3, accuracy: 0.1)
        XCTAssertEqual(widths[1], 320 * 1 / 3, accuracy: 0.1)
        XCTAssertEqual(ticks[0], 240 + 320, accuracy: 0.1)
        XCTAssertEqual(ticks[1], 240 + 160, accuracy: 0.1)
    }

    func testOneNoisyP90DoesNotFlattenTheOtherBars() throws {
        let bars = [SVGChart.Bar(label: "a × fp32", p50: 0.5, p90: 40, status: .pass, target: "cell-1"),
                    SVGChart.Bar(label: "a × int8-static", p50: 1, p90: 1.2, status: .pass, target: "cell-2")]
        let (widths, ticks) = try latencyMarks(bars)
        // The scale ends at twice the slowest p50 (2 ms), and the 40 ms tick sits at the right edge.
        XCTAssertEqual(widths[0], 80, accuracy: 0.1)
        XCTAssertEqual(widths[1], 160, accuracy: 0.1)
        XCTAssertEqual(ticks[0], 240 + 320, accuracy: 0.1)
        XCTAssertEqual(ticks[1], 240 + 192, accuracy: 0.1)
        let text = SVGChart.latencyBars(bars)
        XCTAssertTrue(text.contains("p50 0.5 · p90 40 ms"), "the real p90 is still printed")
    }
}
