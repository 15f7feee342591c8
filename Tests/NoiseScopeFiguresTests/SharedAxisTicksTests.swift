import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Issue 26, fig2: the eight histograms of noise along training share one x range, and with
/// it one set of ticks, read back from the SVG.
final class SharedAxisTicksTests: XCTestCase {

    /// Eight snapshots whose spreads differ as much as fig2's do (max/median from 1.4 to 2.1).
    private func fig2() -> Figure {
        let snapshots = (0..<8).map { i -> (title: String, norms: [Double], colorIndex: Int) in
            var generator = LinearCongruentialGenerator(seed: UInt64(100 + i))
            let spread = 0.05 + 0.02 * Double(i % 4) + 0.01 * Double(i / 4)
            let norms = (0..<1000).map { _ -> Double in
                let u = generator.nextUniform(), v = generator.nextUniform()
                let gaussian = (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
                return max(0.01, 1 + spread * gaussian + (generator.nextUniform() < 0.01 ? 0.6 * Double(i % 4) : 0))
            }
            return ("model \(i / 4), step \(100 * (i % 4)): excess kurtosis \(i)", norms, i % 4)
        }
        return PaperFigureLayouts.noiseAlongTraining(snapshots, title: "Noise norms along an Adam run")
    }

    func testFig2PanelsShareOneXRangeAndTheSameTicks() throws {
        let svg = fig2().render().svg
        SVGValidation.assertValid(svg, name: "review-fig2")
        let panels = try SVGStructure(svg).panels
        XCTAssertEqual(panels.count, 8)
        // Tick marks at the same offsets from each frame's left edge, in frames of one width.
        let offsets = panels.map { panel in panel.xTickMarks.map { (($0 - panel.frame.x) / panel.frame.width * 1000).rounded() } }
        XCTAssertGreaterThanOrEqual(offsets[0].count, 3)
        for (index, panel) in offsets.enumerated() {
            XCTAssertEqual(panel, offsets[0], "panel \(index): its x ticks are not the others'")
        }
        // The bottom row labels them (the top row's would repeat them, as matplotlib's
        // label_outer leaves out); every labelled panel has the same labels.
        let labelled = panels.map(\.xTickLabels).filter { !$0.isEmpty }
        XCTAssertEqual(labelled.count, 4)
        XCTAssertEqual(labelled[0].count, offsets[0].count)
        for labels in labelled { XCTAssertEqual(labels, labelled[0]) }
        for panel in panels[0..<4] { XCTAssertEqual(panel.xTickLabels, [], "inner panels leave their repeated labels out") }
    }

    /// Panels sharing an axis take one set of ticks even where their plots differ in length
    /// (a column with wider y tick labels is narrower) and each alone would get another step.
    func testSharedAxesShareTicksWhenPanelLengthsDiffer() throws {
        var found = false
        for width in stride(from: 500.0, through: 900, by: 5) {
            var wide = Axes(yLabel: "y")
            wide.add(.line(x: [0, 1.37], y: [0, 123_456.5]))
            var narrow = Axes(yLabel: "y")
            narrow.add(.line(x: [0, 1.37], y: [0, 1]))
            let figure = Figure(width: width, height: 300, rows: 1, columns: 2, panels: [wide, narrow], sharex: .all)
            let layouts = SVGRenderer.layouts(of: figure)
            // What each panel would get on its own plot.
            let own = layouts.map { PanelLayout(axes: $0.axes, limits: $0.limits, plot: $0.plot).x.ticks }
            guard own[0] != own[1] else { continue }
            found = true
            let panels = try SVGStructure(figure.render().svg).panels
            XCTAssertEqual(panels[0].xTickLabels, panels[1].xTickLabels, "width \(width)")
            let shorter = layouts[1].plot.width < layouts[0].plot.width ? 1 : 0
            XCTAssertEqual(panels[0].xTickLabels, own[shorter].major.map(\.label), "the shorter axis's ticks")
        }
        XCTAssertTrue(found, "no width where the two panels alone would differ: the test checks nothing")
    }
}
