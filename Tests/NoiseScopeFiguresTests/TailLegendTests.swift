import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Issue 26: the tail CCDF's legend names a degenerate lognormal fit instead of printing its
/// meaningless μ and σ, and a legend never squeezes its plot to a sliver by going outside.
final class TailLegendTests: XCTestCase {

    func testDegenerateLognormalFitIsNamedInTheLegend() throws {
        // A pure Pareto tail above xmin = 1: the truncated lognormal runs off to its power-law limit.
        let samples = Fixtures.pareto(count: 3000, alpha: 1.5, xmin: 1, seed: 2024)
        XCTAssertTrue(try XCTUnwrap(TailAlternatives(samples: samples, xmin: 1)).lognormalIsDegenerate)
        let structure = try SVGStructure(HeavyTailFigures.complementaryCDF(samples: samples, powerLawXmin: 1, powerLawAlpha: 1.5).render().svg)
        let texts = structure.texts.map(\.content)
        XCTAssertTrue(texts.contains("Lognormal fit degenerate (≈ power law)"), "\(texts)")
        XCTAssertFalse(texts.contains { $0.contains("μ =") }, "no meaningless μ and σ: \(texts)")
        // A fit that is not degenerate (the same samples above xmin = 2) still prints its parameters.
        let fit = try XCTUnwrap(TailAlternatives(samples: samples, xmin: 2))
        XCTAssertFalse(fit.lognormalIsDegenerate)
        let other = try SVGStructure(HeavyTailFigures.complementaryCDF(samples: samples, powerLawXmin: 2, powerLawAlpha: 1.5).render().svg)
        XCTAssertTrue(other.texts.contains { $0.content.hasPrefix("Lognormal, μ = ") })
    }

    /// The tail CCDF's legend (five entries, one of them long) covers data wherever it goes
    /// inside; outside it would take more than 40 % of the plot's width, so it stays inside.
    func testALegendOutsideNeverSqueezesThePlot() throws {
        let samples = Fixtures.pareto(count: 3000, alpha: 1.5, xmin: 1, seed: 2024)
        for figure in [HeavyTailFigures.complementaryCDF(samples: samples, powerLawXmin: 1, powerLawAlpha: 1.5),
                       HeavyTailFigures.summary(samples: samples, powerLawXmin: 1, powerLawAlpha: 1.5, hillK: Fixtures.hill(samples).k,
                                                hillAlpha: Fixtures.hill(samples).alpha, hillLower: Fixtures.hill(samples).lower,
                                                hillUpper: Fixtures.hill(samples).upper, chosenK: 349)] {
            let structure = try SVGStructure(figure.render().svg)
            let cell = structure.width / Double(structure.panels.count)
            for panel in structure.panels {
                XCTAssertGreaterThan(panel.frame.width, 0.6 * (cell - 80), "a plot squeezed by its legend")
            }
        }
        // A short legend that covers data everywhere inside still goes outside.
        var axes = Axes()
        var xs: [Double] = [], ys: [Double] = []
        for i in 0...30 { for j in 0...30 { xs.append(Double(i)); ys.append(Double(j)) } }
        axes.add(.scatter(x: xs, y: ys, label: "grid"))
        XCTAssertEqual(try legendAndData(Figure(axes)).placement, .outsideRight)
        var long = Axes()
        long.add(.scatter(x: xs, y: ys, label: String(repeating: "a long legend entry ", count: 6)))
        XCTAssertNotEqual(try legendAndData(Figure(long)).placement, .outsideRight)
    }
}
