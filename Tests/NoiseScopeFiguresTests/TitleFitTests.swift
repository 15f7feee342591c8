import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Issue 26, fig6: every title stays on the canvas (measured with `TextMetrics`, wrapped when
/// shrinking would make it unreadable) and fig6's caption says what the panel draws. The
/// checks read the extents of the SVG's text elements (`SVGStructure`).
final class TitleFitTests: XCTestCase {

    private func fig6(stableIndex: String) -> Figure {
        var generator = LinearCongruentialGenerator(seed: 6)
        // Signed coordinates with a Pareto tail over a Gaussian-like body, as g_B − ∇f looks.
        let coordinates = (0..<20_000).map { _ -> Double in
            let sign: Double = generator.nextUniform() < 0.5 ? -1 : 1
            return sign * (generator.nextUniform() < 0.9 ? 1e-4 * generator.nextUniform() : generator.nextPareto(alpha: 2.06, xmin: 1e-4))
        }
        return PaperFigureLayouts.coordinateNoise(coordinates: coordinates, powerLawXmin: 0.001, powerLawAlpha: 2.06,
                                                  stableIndex: stableIndex)
    }

    func testFig6KeepsEveryTextOnTheCanvas() throws {
        for stable in ["1.98", "none: 2.13 is outside (0, 2]"] {
            let svg = fig6(stableIndex: stable).render().svg
            SVGValidation.assertValid(svg, name: "review-fig6")
            let structure = try SVGStructure(svg)
            XCTAssertGreaterThan(structure.texts.count, 20)
            for text in structure.texts {
                XCTAssertGreaterThanOrEqual(text.horizontalExtent.lowerBound, 0, text.content)
                XCTAssertLessThanOrEqual(text.horizontalExtent.upperBound, structure.width, text.content)
                XCTAssertGreaterThanOrEqual(text.verticalExtent.lowerBound, 0, text.content)
                XCTAssertLessThanOrEqual(text.verticalExtent.upperBound, structure.height, text.content)
            }
            // The titles are set at a readable size (wrapped rather than shrunk to nothing).
            for title in structure.texts where title.bold { XCTAssertGreaterThanOrEqual(title.fontSize, 12, title.content) }
        }
    }

    func testFig6CaptionDescribesTheThreeFitsItDraws() throws {
        let structure = try SVGStructure(fig6(stableIndex: "1.98").render().svg)
        let tail = structure.panels[1]
        let caption = tail.texts.filter { $0.bold }.map(\.content).joined(separator: " ")
        XCTAssertFalse(caption.contains("the line is"), caption)
        for fit in ["power-law", "lognormal", "exponential"] { XCTAssertTrue(caption.contains(fit), caption) }
        let legend = tail.texts.filter { !$0.bold }.map(\.content)
        XCTAssertTrue(legend.contains { $0.hasPrefix("Power law") })
        XCTAssertTrue(legend.contains { $0.hasPrefix("Lognormal") })
        XCTAssertTrue(legend.contains { $0.hasPrefix("Exponential") })
        // The caption sits above its plot, inside the panel's half of the page.
        for line in tail.texts where line.bold {
            XCTAssertLessThanOrEqual(line.verticalExtent.upperBound, tail.frame.y)
            XCTAssertGreaterThanOrEqual(line.horizontalExtent.lowerBound, structure.width / 2)
        }
    }

    /// Engine level: however long a panel's (or the figure's) title, it stays on the canvas and
    /// above its plot, wrapped at the base size rather than shrunk below 10 px.
    func testLongTitlesNeverLeaveTheCanvas() throws {
        let words = "heavy-tailed gradient noise of the per-coordinate minibatch with x_{min} and α̂ = 1.98 (pooled)"
        let titles = ["short", words, words + "; " + words, String(repeating: "W", count: 160),
                      "a_path/with/no/spaces/that/is/far/too/long/for/any/panel/title/at/all/whatsoever"]
        for columns in [1, 2, 3] {
            for title in titles {
                var panels: [Axes] = []
                for index in 0..<columns {
                    var axes = Axes(title: index == columns - 1 ? title : "panel \(index)", xLabel: "x", yLabel: "y")
                    axes.add(.line(x: [0, 1, 2], y: [1, 3, 2], label: "data"))
                    panels.append(axes)
                }
                let figure = Figure(title: title, width: 400 * Double(columns), height: 360, rows: 1, columns: columns, panels: panels)
                let svg = figure.render().svg
                let structure = try SVGStructure(svg)
                for text in structure.texts {
                    XCTAssertGreaterThanOrEqual(text.horizontalExtent.lowerBound, -0.01, "\(columns) columns: \(text.content)")
                    XCTAssertLessThanOrEqual(text.horizontalExtent.upperBound, structure.width + 0.01, "\(columns) columns: \(text.content)")
                    XCTAssertGreaterThanOrEqual(text.verticalExtent.lowerBound, -0.01, "\(columns) columns: \(text.content)")
                    if text.bold { XCTAssertGreaterThanOrEqual(text.fontSize, TitleLayout.minimumFontSize) }
                }
                // Each panel's title lines end above its frame and stay within its cell.
                for (index, panel) in structure.panels.enumerated() {
                    let cell = (structure.width / Double(columns) * Double(index))...(structure.width / Double(columns) * Double(index + 1))
                    for line in panel.texts where line.bold {
                        XCTAssertLessThanOrEqual(line.verticalExtent.upperBound, panel.frame.y, line.content)
                        XCTAssertGreaterThanOrEqual(line.horizontalExtent.lowerBound, cell.lowerBound - 0.01, line.content)
                        XCTAssertLessThanOrEqual(line.horizontalExtent.upperBound, cell.upperBound + 0.01, line.content)
                    }
                }
                // The figure title's lines end above every panel's title.
                let figureTitle = structure.texts.filter { $0.bold && $0.fontSize > 15 }
                let panelTop = structure.panels.flatMap(\.texts).filter(\.bold).map(\.verticalExtent.lowerBound).min() ?? .infinity
                for line in figureTitle { XCTAssertLessThanOrEqual(line.verticalExtent.upperBound, panelTop + 0.01, line.content) }
            }
        }
    }

    func testTitleLayoutKeepsShortTitlesAndWrapsLongOnes() {
        XCTAssertEqual(TitleLayout("Hill plot", base: 15, bold: true, room: 400), TitleLayout(lines: ["Hill plot"], fontSize: 15))
        // A little too wide: shrunk, on one line, to no less than 12 px.
        let tight = TitleLayout("Tail of the distribution (log–log)", base: 15, bold: true, room: 250)
        XCTAssertEqual(tight.lines.count, 1)
        XCTAssertLessThan(tight.fontSize, 15)
        XCTAssertGreaterThanOrEqual(tight.fontSize, TitleLayout.smallestShrunkSize)
        // Far too wide: wrapped at the base size, markup groups kept whole.
        let long = TitleLayout("Tail of |coordinate| above x_{min and more}: power-law, lognormal and exponential fits (pooled stable α̂ = 1.98)",
                               base: 15, bold: true, room: 300)
        XCTAssertEqual(long.fontSize, 15)
        XCTAssertGreaterThan(long.lines.count, 1)
        XCTAssertTrue(long.lines.contains { $0.contains("x_{min and more}:") })
        for line in long.lines { XCTAssertLessThanOrEqual(TextMetrics.width(of: line, fontSize: 15, bold: true), 300) }
        XCTAssertEqual(long.lines.joined(separator: " "), "Tail of |coordinate| above x_{min and more}: power-law, lognormal and exponential fits (pooled stable α̂ = 1.98)")
        // One word wider than the room even at the smallest size: cut with an ellipsis.
        let word = TitleLayout(String(repeating: "W", count: 100), base: 15, bold: true, room: 200)
        XCTAssertEqual(word.fontSize, TitleLayout.minimumFontSize)
        XCTAssertTrue(word.lines[0].hasSuffix("…"))
        XCTAssertLessThanOrEqual(TextMetrics.width(of: word.lines[0], fontSize: word.fontSize, bold: true), 200)
    }
}
