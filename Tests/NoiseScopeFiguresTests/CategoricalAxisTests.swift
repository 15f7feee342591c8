import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Issue 26, fig3: the optimizers are named on a categorical x axis (matplotlib's manner: the
/// names as tick labels at positions 0, 1, 2, …) instead of sitting at x = 1…5 with a key in
/// the axis label. The checks read the SVG the renderer wrote (`SVGStructure`).
final class CategoricalAxisTests: XCTestCase {

    private static let optimizers = ["Momentum SGD", "GClip", "CClip", "Adam", "ACClip"]

    private func fig3() -> Figure {
        let means = [2.5599, 2.5599, 2.5604, 2.5099, 2.5636], halfWidths = [0.002, 0.002, 0.014, 0.0579, 0.0066]
        let outcomes = Self.optimizers.indices.map { i in
            PaperFigureLayouts.OptimizerOutcome(name: Self.optimizers[i], legend: "\(Self.optimizers[i]): tuned lr 1",
                                                mean: means[i], halfWidth: halfWidths[i])
        }
        return PaperFigureLayouts.optimizerComparison(outcomes, steps: 300, seeds: 3)
    }

    func testFig3NamesTheOptimizersOnItsXAxis() throws {
        let svg = fig3().render().svg
        SVGValidation.assertValid(svg, name: "review-fig3")
        let structure = try SVGStructure(svg)
        let panel = try XCTUnwrap(structure.panels.first)
        XCTAssertEqual(panel.xTickLabels, Self.optimizers)
        // One tick per optimizer, evenly spaced, each above its error bar's centre.
        XCTAssertEqual(panel.xTickMarks.count, 5)
        let steps = zip(panel.xTickMarks.dropFirst(), panel.xTickMarks).map { $0 - $1 }
        for step in steps { XCTAssertEqual(step, steps[0], accuracy: 0.02) }
        // The axis label names the axis; it no longer decodes positions into names.
        let below = panel.texts.filter { $0.rotation == 0 && $0.y > panel.frame.y + panel.frame.height }
        let axisLabel = try XCTUnwrap(below.first { !panel.xTickLabels.contains($0.content) })
        XCTAssertEqual(axisLabel.content, "Optimizer")
        for name in ["momentum", "GClip", "Adam"] {
            XCTAssertFalse(axisLabel.content.contains(name))
        }
        XCTAssertFalse(panel.xTickLabels.contains { Double($0) != nil }, "no numeric positions on the x axis")
    }

    func testCategoricalScalePlacesCategoryIAtPositionI() throws {
        let scale = Scale.categorical(["a", "bb", "ccc"])
        XCTAssertEqual(scale.automaticLimits(dataMin: 0, dataMax: 2), -0.5...2.5)
        XCTAssertEqual(scale.automaticLimits(dataMin: nil, dataMax: nil), -0.5...2.5)
        XCTAssertEqual(scale.automaticLimits(dataMin: 1, dataMax: 1), -0.5...2.5, "every category is shown, not only those with data")
        let ticks = scale.ticks(for: -0.5...2.5, targetCount: 2, pixelLength: 100)
        XCTAssertEqual(ticks.major, [Tick(value: 0, label: "a"), Tick(value: 1, label: "bb"), Tick(value: 2, label: "ccc")])
        XCTAssertEqual(ticks.minor, [])

        var axes = Axes(xScale: scale)
        axes.add(.scatter(x: [0, 1, 2], y: [3, 1, 2]))
        let svg = Figure(axes).render().svg
        let panel = try XCTUnwrap(SVGStructure(svg).panels.first)
        XCTAssertEqual(panel.xTickLabels, ["a", "bb", "ccc"])
        // Half a slot either side: the ticks sit at 1/6, 3/6 and 5/6 of the frame.
        for (i, mark) in panel.xTickMarks.enumerated() {
            XCTAssertEqual(mark - panel.frame.x, panel.frame.width * Double(2 * i + 1) / 6, accuracy: 0.02)
        }
    }
}
