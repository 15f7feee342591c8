import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// The SVG document as a whole: structure, dropped points, clipping, legend, layout, determinism.
final class RendererTests: XCTestCase {
    /// A panel exercising every kind of series, used by several tests.
    private func everythingPanel() -> Axes {
        var axes = Axes(title: "Every series kind", xLabel: "Step", yLabel: "Value")
        let x = (0...40).map { Double($0) / 4 }
        axes.add(.histogram(Histogram(samples: Fixtures.pareto(count: 400, alpha: 3).map { $0 * 2 }), label: "Histogram"))
        axes.add(.band(x: x, lower: x.map { sin($0) - 0.3 + 1 }, upper: x.map { sin($0) + 0.3 + 1 }, label: "Band"))
        axes.add(.line(x: x, y: x.map { sin($0) + 1 }, label: "Line"))
        axes.add(.step(x: x, y: x.map { cos($0) / 2 + 0.8 }, label: "Step"))
        axes.add(.scatter(x: x, y: x.map { 0.1 * $0 }, label: "Scatter"))
        axes.add(.horizontalLine(y: 0.5, label: "Reference"))
        axes.add(.verticalLine(x: 7))
        axes.annotate("peak", x: 1.6, y: 2.1)
        return axes
    }

    func testDocumentIsStandaloneSVG11() {
        let svg = Figure(everythingPanel()).render().svg
        XCTAssertTrue(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<svg "))
        XCTAssertTrue(svg.contains("xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"640\" height=\"480\" viewBox=\"0 0 640 480\" font-family=\"sans-serif\""))
        for forbidden in ["<script", "<style", "@import", "url(", "xlink:href", "font-face"] {
            XCTAssertFalse(svg.contains(forbidden), forbidden)
        }
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        SVGValidation.assertValid(svg, name: "every-series-kind")
    }

    func testAttributeNumbersAreShortAndNeverInExponentForm() {
        let svg = Figure(everythingPanel()).render().svg
        let body = svg.split(separator: "\n").dropFirst().joined(separator: "\n") // skip <?xml version="1.0"?>
        let numbers = SVGValidation.attributeNumbers(body)
        XCTAssertGreaterThan(numbers.count, 100)
        for number in numbers {
            XCTAssertFalse(number.contains("e") || number.contains("E"), number)
            let decimals = number.split(separator: ".").dropFirst().first?.count ?? 0
            XCTAssertLessThanOrEqual(decimals, 3, number) // 2 for coordinates, 3 for opacities
            XCTAssertFalse(number.contains(".") && number.hasSuffix("0"), "trailing zero in \(number)")
        }
    }

    func testRenderingIsDeterministic() {
        let figure = Figure(title: "Twice", width: 900, height: 700, rows: 2, columns: 2,
                            panels: [everythingPanel(), everythingPanel(), everythingPanel()])
        XCTAssertEqual(Data(figure.render().svg.utf8), Data(figure.render().svg.utf8))
    }

    func testNonFinitePointsAreDroppedCountedAndBreakTheLine() {
        var axes = Axes()
        axes.add(.line(x: [0, 1, 2, 3, 4, 5, 6], y: [0, 1, .nan, 3, 4, .infinity, 6]))
        axes.add(.scatter(x: [.nan, 1], y: [1, 1]))
        let rendered = Figure(axes).render()
        XCTAssertEqual(rendered.droppedPoints, DroppedPoints(nonFinite: 3, nonPositiveOnLogAxis: 0))
        XCTAssertEqual(rendered.droppedPointCount, 3)
        XCTAssertEqual(rendered.notices, ["3 points with NaN or infinite values not drawn"])
        let linePath = rendered.svg.split(separator: "\n").first { $0.contains("stroke=\"#0072B2\"") }!
        XCTAssertEqual(linePath.filter { $0 == "M" }.count, 2) // runs [0, 1] and [3, 4]; [6] alone is no line
        SVGValidation.assertValid(rendered.svg, name: "non-finite-dropped")
    }

    func testZerosAndNegativesOnLogAxesAreDroppedAndCounted() {
        var axes = Axes(xScale: .log10, yScale: .log10)
        axes.add(.scatter(x: [-1, 0, 1, 10, 100], y: [1, 1, 1, 0, 5]))
        axes.add(.band(x: [1, 10], lower: [-1, 1], upper: [2, 3]))
        axes.add(.horizontalLine(y: 0))
        let rendered = Figure(axes).render()
        XCTAssertEqual(rendered.droppedPoints, DroppedPoints(nonFinite: 0, nonPositiveOnLogAxis: 5))
        XCTAssertEqual(rendered.notices, ["5 points ≤ 0 not drawn on a log axis"])
        SVGValidation.assertValid(rendered.svg, name: "log-nonpositive-dropped")
    }

    func testUnusableExplicitLimitsFallBackWithANotice() {
        var axes = Axes(yScale: .log10, yLimits: -1...10)
        axes.add(.line(x: [1, 2], y: [1, 100]))
        let rendered = Figure(axes).render()
        XCTAssertEqual(rendered.notices, ["y limits −1…10 cannot be shown on a log axis; automatic limits used"])
        XCTAssertTrue(AxesLimits(axes).y.lowerBound > 0)
    }

    func testExplicitLimitsClipDataToThePlotArea() throws {
        var axes = Axes(xLimits: 0...5, yLimits: 0...5)
        axes.add(.line(x: [-100, 10], y: [-100, 10]))
        axes.add(.scatter(x: [1, 50], y: [1, 50]))
        let figure = Figure(axes)
        let layout = PanelLayout(axes: axes, limits: AxesLimits(axes), plot: Rect(minX: 60, minY: 20, width: 500, height: 400))
        let drawn = SeriesGeometry.build(layout)
        guard case let .polylines(lines) = drawn[0].shape, case let .markers(points) = drawn[1].shape else {
            return XCTFail("unexpected shapes")
        }
        XCTAssertEqual(lines, [[Point(x: 60, y: 420), Point(x: 560, y: 20)]])
        XCTAssertEqual(points.count, 1)
        SVGValidation.assertValid(figure.render().svg, name: "explicit-limits")
    }

    func testAutomaticLegendAvoidsTheData() throws {
        // A rising diagonal occupies the lower-left and upper-right corners.
        var rising = Axes()
        rising.add(.line(x: [0, 10], y: [0, 10], label: "rising"))
        XCTAssertEqual(try legendCorner(rising), .upperLeft)
        // Data filling the top half leave the lower half; of the free positions, the first one
        // that does not cover the reference line near the bottom wins.
        var high = Axes()
        high.add(.line(x: (0...50).map(Double.init), y: (0...50).map { 8 + 2 * sin(Double($0)) }, label: "high"))
        high.add(.horizontalLine(y: 0))
        XCTAssertEqual(try legendCorner(high), .centerRight)
        high.series.removeLast()
        high.yLimits = -0.5...10.5
        XCTAssertEqual(try legendCorner(high), .lowerLeft)
        // An explicit corner is respected.
        rising.legendPlacement = .lowerRight
        XCTAssertEqual(try legendCorner(rising), .lowerRight)
    }

    private func legendCorner(_ axes: Axes) throws -> LegendPlacement {
        let plot = Rect(minX: 60, minY: 20, width: 500, height: 400)
        let layout = PanelLayout(axes: axes, limits: AxesLimits(axes), plot: plot)
        let drawn = SeriesGeometry.build(layout)
        let legend = try XCTUnwrap(Legend(drawn))
        let placement = legend.resolvedPlacement(in: plot, placement: axes.legendPlacement,
                                                 avoiding: drawn.map(\.obstacles))
        let frame = legend.frame(in: plot, placement: placement)
        XCTAssertTrue(plot.contains(Point(x: frame.minX, y: frame.minY)) && plot.contains(Point(x: frame.maxX, y: frame.maxY)))
        return placement
    }

    func testAutomaticStylesCycleColoursDashesAndMarkers() {
        let styles = (0..<8).map(SeriesStyle.cycled)
        XCTAssertEqual(Set(styles.map(\.color.hex)).count, 8)
        XCTAssertEqual(styles.map(\.dash), [.solid, .dashed, .dotted, .dashDotted, .solid, .dashed, .dotted, .dashDotted])
        XCTAssertEqual(styles[0].color, .blue)
        XCTAssertEqual(styles[5].marker, .circle)
        XCTAssertNotEqual(styles[1].marker, styles[0].marker)
        XCTAssertEqual(Color(hex: "#12345g"), .black)
        XCTAssertEqual(Color(hex: "#e69f00"), .orange)
        XCTAssertEqual(LineDash.dashed.dashArray(lineWidth: 2), "8 5")
    }

    func testGridPanelsLineUp() {
        var wideLabels = Axes(yLabel: "Loss")
        wideLabels.add(.line(x: [0, 1], y: [0, 123_456]))
        var narrowLabels = Axes(title: "Second")
        narrowLabels.add(.line(x: [0, 1], y: [0, 1]))
        let figure = Figure(title: "Grid", width: 800, height: 600, rows: 2, columns: 2,
                            panels: [wideLabels, narrowLabels, narrowLabels, wideLabels])
        let frames = frameRects(figure.render().svg)
        XCTAssertEqual(frames.count, 4)
        XCTAssertEqual(frames[0].y, frames[1].y)     // same row, same top
        XCTAssertEqual(frames[0].height, frames[1].height)
        XCTAssertEqual(frames[0].x - 0, frames[2].x - 0) // same column, same left
        XCTAssertEqual(frames[1].x - 400, frames[3].x - 400)
        XCTAssertEqual(frames[0].width, frames[2].width)
        SVGValidation.assertValid(figure.render().svg, name: "grid-alignment")
    }

    /// x, y, width and height of every plot frame (`<rect … fill="none" stroke=…>`).
    private func frameRects(_ svg: String) -> [(x: Double, y: Double, width: Double, height: Double)] {
        svg.split(separator: "\n").filter { $0.hasPrefix("<rect x=") && $0.contains("fill=\"none\"") }.map { line in
            func value(_ name: String) -> Double {
                let start = line.range(of: name + "=\"")!.upperBound
                return Double(line[start...].prefix { $0 != "\"" })!
            }
            return (value("x"), value("y"), value("width"), value("height"))
        }
    }

    func testEmptyFigureAndEmptyPanelsStillRender() {
        let empty = Figure(panels: []).render()
        SVGValidation.assertValid(empty.svg, name: "empty-figure")
        let blankPanel = Figure(Axes(title: "Nothing yet", xScale: .log10, yScale: .log10)).render()
        XCTAssertEqual(blankPanel.droppedPointCount, 0)
        // One decade (1…10): labelled 1, 2, 5, 10.
        XCTAssertTrue(blankPanel.svg.contains(">1<") && blankPanel.svg.contains(">10<"))
        SVGValidation.assertValid(blankPanel.svg, name: "empty-panel")
    }

    func testLongPolylinesAreMergedIntoFewPoints() {
        var axes = Axes()
        let x = (0...10_000).map(Double.init)
        axes.add(.line(x: x, y: x.map { 2 * $0 + 1 }))
        let svg = Figure(axes).render().svg
        let path = svg.split(separator: "\n").first { $0.contains("stroke=\"#0072B2\"") }!
        XCTAssertLessThan(path.count, 120) // a straight line needs two points, not 10 001
    }
}
