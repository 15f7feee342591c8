import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Figures built from awkward data, checked for validity and kept as files
/// ($TMPDIR/noisescope-figures-tests/gallery-*.svg and .png) so a person can look at them.
final class EdgeCaseGalleryTests: XCTestCase {
    func testAxisRangeGallery() {
        func panel(_ title: String, x: [Double], y: [Double], xScale: Scale = .linear,
                   yScale: Scale = .linear) -> Axes {
            var axes = Axes(title: title, xLabel: "x", yLabel: "y", xScale: xScale, yScale: yScale)
            axes.add(.line(x: x, y: y, label: "data"))
            return axes
        }
        let t = (0...50).map { Double($0) / 50 }
        let figure = Figure(title: "Axis ranges", width: 1200, height: 800, rows: 2, columns: 3, panels: [
            panel("Tiny values (1e-9)", x: t, y: t.map { 1e-9 + 2e-9 * $0 * $0 }),
            panel("Huge values (1e12)", x: t.map { $0 * 1e12 }, y: t.map { sin(6 * $0) }),
            panel("Negative only", x: t.map { -870 + 750 * $0 }, y: t.map { -$0 * $0 - 0.2 }),
            panel("Log y within one decade", x: t, y: t.map { 2 + 6 * $0 }, yScale: .log10),
            panel("Log-log over 15 decades", x: t.map { pow(10, -3 + 15 * $0) }, y: t.map { pow(10, 6 * $0) },
                  xScale: .log10, yScale: .log10),
            panel("A single point", x: [3], y: [3]),
        ])
        let rendered = figure.render()
        XCTAssertEqual(rendered.droppedPointCount, 0)
        XCTAssertTrue(rendered.svg.contains("(×10⁻⁹)"))
        XCTAssertTrue(rendered.svg.contains("(×10¹²)"))
        SVGValidation.assertValid(rendered.svg, name: "gallery-axis-ranges")
    }

    func testSeriesStyleGallery() {
        var lines = Axes(title: "Eight automatic styles", xLabel: "Epoch", yLabel: "Loss")
        let x = (0...30).map(Double.init)
        for i in 0..<8 {
            lines.add(.line(x: x, y: x.map { exp(-$0 / Double(5 + 3 * i)) + 0.05 * Double(i) }, label: "Series \(i + 1)"))
        }
        var markers = Axes(title: "Markers, band, annotation", xLabel: "k", yLabel: "Value", legendPlacement: .automatic)
        markers.add(.band(x: x, lower: x.map { 0.5 + 0.02 * $0 }, upper: x.map { 1.5 + 0.04 * $0 }, label: "Band"))
        for i in 0..<5 {
            markers.add(.scatter(x: x.filter { Int($0) % 5 == i }, y: x.filter { Int($0) % 5 == i }.map { 0.1 * $0 + Double(i) },
                                 label: "Markers \(i + 1)"))
        }
        markers.add(.step(x: x, y: x.map { floor($0 / 7) }, placement: .post, label: "Step (post)"))
        markers.add(.horizontalLine(y: 2, label: "Reference"))
        markers.annotate("threshold → ", x: 30, y: 2.2, alignment: .end)
        let figure = Figure(title: "Styles", width: 1200, height: 480, rows: 1, columns: 2, panels: [lines, markers])
        SVGValidation.assertValid(figure.render().svg, name: "gallery-styles")
    }
}
