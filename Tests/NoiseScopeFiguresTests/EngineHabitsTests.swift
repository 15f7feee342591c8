import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Issue 16, the engine: legends placed off the data, log axes labelled to both ends, real
/// subscripts and superscripts, the symlog scale, shared axes, error bars.
final class EngineHabitsTests: XCTestCase {

    func testLegendLeavesACurveInTheUpperRightAlone() throws {
        var axes = Axes()
        let x = (0...100).map { Double($0) / 100 }
        axes.add(.line(x: x, y: x.map { $0 < 0.6 ? 0 : pow(($0 - 0.6) / 0.4, 0.3) }, label: "late rise to the upper right"))
        let (layout, drawn, frame, placement) = try legendAndData(Figure(axes))
        XCTAssertNotEqual(placement, .upperRight)
        XCTAssertNotEqual(placement, .outsideRight)
        XCTAssertEqual(drawn[0].obstacles.coverage(of: frame), 0)
        XCTAssertTrue(layout.plot.expanded(by: 0.01).contains(Point(x: frame.maxX, y: frame.maxY)))
    }

    func testLegendGoesOutsideWhenEveryInsidePositionCoversData() throws {
        var axes = Axes()
        // Markers on a dense grid: nothing inside the axes is free.
        var xs: [Double] = [], ys: [Double] = []
        for i in 0...30 { for j in 0...30 { xs.append(Double(i)); ys.append(Double(j)) } }
        axes.add(.scatter(x: xs, y: ys, label: "grid"))
        let (layout, _, frame, placement) = try legendAndData(Figure(axes))
        XCTAssertEqual(placement, .outsideRight)
        XCTAssertGreaterThan(frame.minX, layout.plot.maxX)
        XCTAssertLessThanOrEqual(frame.maxX, 640, "the margin was widened for it")
        SVGValidation.assertValid(Figure(axes).render().svg, name: "legend-outside")
    }

    func testShortLogAxesAreLabelledToBothEnds() {
        let ticks = Scale.log10.ticks(for: 7.5...12.5, targetCount: 5, pixelLength: 400)
        let values = ticks.major.map(\.value)
        XCTAssertEqual(ticks.major.map(\.label), ["8", "9", "10", "11", "12"])
        XCTAssertLessThanOrEqual(log10(values.first! / 7.5), log10(12.5 / 7.5) / 4)
        XCTAssertLessThanOrEqual(log10(12.5 / values.last!), log10(12.5 / 7.5) / 4)
        let few = Scale.log10.ticks(for: 7.5...12.5, targetCount: 3, pixelLength: 150)
        XCTAssertEqual(few.major.map(\.label), ["7.5", "10.0", "12.5"])
        // Between one and two decades: 1–2–5 labels rather than two bare powers of ten.
        let decadeAndAHalf = Scale.log10.ticks(for: 0.4...25, targetCount: 6, pixelLength: 400)
        XCTAssertEqual(decadeAndAHalf.major.map(\.label), ["0.5", "1", "2", "5", "10", "20"])
    }

    func testEveryDecadeIsLabelledWhenTheLabelsFit() {
        let ticks = Scale.log10.ticks(for: 1e-4...1e5, targetCount: 5, pixelLength: 500)
        XCTAssertEqual(ticks.major.count, 10)
        XCTAssertEqual(ticks.major.map(\.value).map { Int(log10($0).rounded()) }, Array(-4...5))
        var axes = Axes(xScale: .log10, yScale: .log10)
        axes.add(.line(x: [1e-4, 1e5], y: [1, 1e6]))
        let layout = SVGRenderer.layouts(of: Figure(axes))[0]
        XCTAssertEqual(layout.x.ticks.major.count, 10, "ten decades in 560 px: each labelled")
        XCTAssertEqual(layout.y.ticks.major.count, 7)
    }

    func testMarkupParsesScriptsAndEscapes() {
        XCTAssertEqual(RichText("Var_n").runs, [.init(text: "Var", shift: .none), .init(text: "n", shift: .sub)])
        XCTAssertEqual(RichText("x^{-α} + y").runs,
                       [.init(text: "x", shift: .none), .init(text: "-α", shift: .super), .init(text: " + y", shift: .none)])
        XCTAssertEqual(RichText("file\\_name_").plain, "file_name_")
        XCTAssertFalse(RichText("plain text (n = 5)").hasScripts)
        XCTAssertLessThan(TextMetrics.width(of: "g_B", fontSize: 12), TextMetrics.width(of: "gB", fontSize: 12))
        XCTAssertEqual(TextMetrics.width(of: "x_{min}", fontSize: 10),
                       TextMetrics.width(of: "x", fontSize: 10) + 0.7 * TextMetrics.width(of: "min", fontSize: 10),
                       accuracy: 1e-9)
    }

    func testScriptsBecomeTspansInTheSVG() {
        var axes = Axes(title: "‖x_T‖ against T", xLabel: "Step T", yLabel: "Var_n (loss²)")
        axes.add(.line(x: [1, 2], y: [1, 2], label: "g_B ~ x^{-α}"))
        let svg = Figure(axes).render().svg
        XCTAssertTrue(svg.contains(">Var<tspan baseline-shift=\"sub\" font-size=\"9.8\">n</tspan> (loss²)</text>"))
        XCTAssertTrue(svg.contains("‖x<tspan baseline-shift=\"sub\" font-size=\"10.5\">T</tspan>‖ against T"))
        XCTAssertTrue(svg.contains("g<tspan baseline-shift=\"sub\" font-size=\"8.4\">B</tspan> ~ x<tspan baseline-shift=\"super\" font-size=\"8.4\">-α</tspan>"))
        XCTAssertTrue(svg.contains("<title>‖x_T‖ against T</title>") == false)
        XCTAssertTrue(svg.contains("<title>‖xT‖ against T</title>"))
        SVGValidation.assertValid(svg, name: "markup")
    }

    func testSymlogTransformIsMonotoneContinuousAndInvertible() {
        let c = 0.01
        let scale = Scale.symlog(linearThreshold: c)
        let values = [-1e6, -3.0, -0.0100001, -c, -0.003, 0, 0.004, c, 0.0100001, 0.5, 42, 1e9]
        let t = values.map(scale.transformed)
        for i in t.indices.dropFirst() { XCTAssertGreaterThan(t[i], t[i - 1]) }
        XCTAssertEqual(scale.transformed(c), 1)
        XCTAssertEqual(scale.transformed(-c), -1)
        XCTAssertEqual(scale.transformed(c * (1 + 1e-12)), 1, accuracy: 1e-9)
        XCTAssertEqual(scale.transformed(-c * (1 + 1e-12)), -1, accuracy: 1e-9)
        XCTAssertEqual(scale.transformed(10 * c), 2, accuracy: 1e-12)
        for value in values {
            XCTAssertEqual(scale.inverse(scale.transformed(value)), value, accuracy: abs(value) * 1e-12)
        }
        XCTAssertTrue(scale.canShow(-5) && scale.canShow(0))
        let ticks = scale.ticks(for: -2...300, targetCount: 8, pixelLength: 500)
        XCTAssertEqual(ticks.major.map(\.label), ["−10⁰", "−10⁻¹", "−10⁻²", "0", "10⁻²", "10⁻¹", "10⁰", "10¹", "10²"])
    }

    func testSharedXIsTheUnionOfTheDataRangesWithPadding() {
        func panel(_ low: Double, _ high: Double) -> Axes {
            var axes = Axes()
            axes.add(.line(x: [low, high], y: [low, high]))
            return axes
        }
        let figure = Figure(rows: 1, columns: 3, panels: [panel(0, 4), panel(2, 10), panel(-100, 100)],
                            sharex: .panels([0, 1]), sharey: .none)
        let layouts = SVGRenderer.layouts(of: figure)
        XCTAssertEqual(layouts[0].limits.x, layouts[1].limits.x)
        XCTAssertEqual(layouts[0].limits.x, -0.5...10.5) // 0…10 padded by 5 %
        XCTAssertEqual(layouts[2].limits.x, -110...110)
        XCTAssertEqual(layouts[0].limits.y, -0.2...4.2, "y not shared")
        let rows = Figure(rows: 2, columns: 2, panels: [panel(0, 1), panel(0, 3), panel(5, 6), panel(5, 9)],
                          sharex: .none, sharey: .rows)
        let rowLayouts = SVGRenderer.layouts(of: rows)
        XCTAssertEqual(rowLayouts[0].limits.y, rowLayouts[1].limits.y)
        XCTAssertEqual(rowLayouts[2].limits.y, rowLayouts[3].limits.y)
        XCTAssertEqual(rowLayouts[2].limits.y.lowerBound, 4.8, accuracy: 1e-12)
        XCTAssertNotEqual(rowLayouts[0].limits.y, rowLayouts[2].limits.y)
    }

    /// matplotlib's `label_outer`: in a 2 × 2 grid sharing x in every panel and y by
    /// rows, only the bottom row draws x tick labels and only the left column y
    /// tick labels; an inner axis label goes only where it repeats its neighbour's.
    func testInnerPanelsOfSharedAxesDropRepeatedLabels() throws {
        func panel(_ xLabel: String, _ yLabel: String) -> Axes {
            var axes = Axes(xLabel: xLabel, yLabel: yLabel)
            axes.add(.line(x: [0, 1], y: [0, 1]))
            return axes
        }
        let figure = Figure(rows: 2, columns: 2, panels: [panel("step", "loss"), panel("step", "other"),
                                                          panel("step", "loss"), panel("time", "loss")],
                            sharex: .all, sharey: .rows)
        let layouts = SVGRenderer.layouts(of: figure)
        XCTAssertEqual(layouts.map(\.hidesXTickLabels), [true, true, false, false])
        XCTAssertEqual(layouts.map(\.hidesXTitle), [true, false, false, false], "panel 1's x label differs from panel 3's")
        XCTAssertEqual(layouts.map(\.hidesYTickLabels), [false, true, false, true])
        XCTAssertEqual(layouts.map(\.hidesYTitle), [false, false, false, true], "panel 1's y label differs from panel 0's")
        // The room the hidden labels took goes to the plots: the top row's plots are taller.
        let unsharedFigure = Figure(rows: 2, columns: 2, panels: figure.panels)
        XCTAssertGreaterThan(layouts[0].plot.height, SVGRenderer.layouts(of: unsharedFigure)[0].plot.height)
        let svg = SVGRenderer().render(figure).svg
        XCTAssertEqual(svg.components(separatedBy: ">step<").count - 1, 2)
        XCTAssertEqual(svg.components(separatedBy: ">loss<").count - 1, 2)
        XCTAssertEqual(svg.components(separatedBy: ">0.5<").count - 1, 2 + 2, "two x and two y axes keep their labels")
        let unshared = SVGRenderer().render(unsharedFigure).svg
        XCTAssertEqual(unshared.components(separatedBy: ">step<").count - 1, 3)
        XCTAssertEqual(unshared.components(separatedBy: ">0.5<").count - 1, 8)
    }

    /// A panel title is made smaller until it fits inside its own cell, even where a
    /// panel of a shared y axis has no tick labels and its plot reaches the page's edge.
    func testLongPanelTitlesStayInsideThePage() throws {
        var left = Axes(title: "short", xLabel: "x", yLabel: "y")
        left.add(.line(x: [0, 1], y: [0, 1]))
        var right = Axes(title: "tinygpt-noattn-gaussian, gaussian input: excess kurtosis −0.00", xLabel: "x", yLabel: "y")
        right.add(.line(x: [0, 1], y: [0, 1]))
        let figure = Figure(width: 1000, height: 400, rows: 1, columns: 2, panels: [left, right], sharey: .all)  // fig4's width
        let layout = SVGRenderer.layouts(of: figure)[1]
        XCTAssertTrue(layout.hidesYTickLabels)
        let title = try XCTUnwrap(layout.titleLayout)
        XCTAssertEqual(title.lines, [right.title])
        let size = title.fontSize
        let width = TextMetrics.width(of: right.title, fontSize: size, bold: true)
        XCTAssertLessThanOrEqual(layout.plot.midX + width / 2, 1000)
        XCTAssertLessThan(size, Theme.titleFontSize)
    }

    func testErrorBarsDrawCappedIntervalsAndSetTheLimits() throws {
        var axes = Axes(xLabel: "1/δ", yLabel: "‖x_T‖", xScale: .log10, yScale: .log10)
        axes.add(.errorBars(x: [10, 100, 1000], y: [1, 2, 4], halfWidth: [0.5, 1, 5], label: "quantile ± CI"))
        let limits = AxesLimits(axes)
        // The third interval (4 ± 5) reaches below 0, which a log axis cannot show: it is left
        // out of the limits and of the drawing, and counted.
        XCTAssertEqual(limits.y.upperBound, pow(10, log10(3) + 0.05 * (log10(3) - log10(0.5))), accuracy: 1e-9)
        let layout = SVGRenderer.layouts(of: Figure(axes))[0]
        let drawn = SeriesGeometry.build(layout)[0]
        guard case let .errorBars(bars, centers) = drawn.shape else { return XCTFail("not error bars") }
        XCTAssertEqual(centers.count, 2)
        XCTAssertEqual(drawn.dropped.nonPositiveOnLogAxis, 1)
        XCTAssertEqual(bars.count, 2 * 3) // each drawn interval: one bar and two caps
        let widths = bars.filter { $0.count == 2 && $0[0].y == $0[1].y }.map { $0[1].x - $0[0].x }
        XCTAssertEqual(widths, Array(repeating: 2 * SeriesGeometry.capHalfWidth, count: 4))
        let rendered = Figure(axes).render()
        XCTAssertEqual(rendered.droppedPointCount, 1)
        SVGValidation.assertValid(rendered.svg, name: "error-bars")
    }
}
