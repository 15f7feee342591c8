import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// The ready-made figures of `check --plot`.
final class HeavyTailFiguresTests: XCTestCase {
    private let pareto = Fixtures.pareto(count: 4000, alpha: 1.5, xmin: 0.5, seed: 11)

    func testLogarithmicAxisRule() {
        XCTAssertTrue(HeavyTailFigures.prefersLogarithmicAxis(pareto))
        var generator = LinearCongruentialGenerator(seed: 3)
        let exponential = (0..<3000).map { _ in -log(generator.nextUniform()) }
        XCTAssertFalse(HeavyTailFigures.prefersLogarithmicAxis(exponential))
        let uniform = (0..<3000).map { _ in 1 + generator.nextUniform() }
        XCTAssertFalse(HeavyTailFigures.prefersLogarithmicAxis(uniform))
        XCTAssertFalse(HeavyTailFigures.prefersLogarithmicAxis(pareto + [0]))
        XCTAssertFalse(HeavyTailFigures.prefersLogarithmicAxis([]))
    }

    func testHistogramOfHeavyTailedSamplesUsesALogAxisWithDensityPerDecade() throws {
        let axes = HeavyTailFigures.histogramAxes(samples: pareto, title: "T", xLabel: "Noise norm", logarithmicX: nil)
        XCTAssertEqual(axes.xScale, .log10)
        XCTAssertEqual(axes.yLabel, "Density per decade")
        guard case let .histogram(histogram) = axes.series[0].content else { return XCTFail("not a histogram") }
        XCTAssertEqual(histogram.spacing, .logarithmic)
        XCTAssertEqual(histogram.counts.reduce(0, +), pareto.count)

        let rendered = HeavyTailFigures.histogram(samples: pareto + [.nan]).render()
        XCTAssertEqual(rendered.droppedPoints.nonFinite, 1)
        XCTAssertTrue(rendered.svg.contains(">Noise norm<"))
        XCTAssertTrue(rendered.svg.contains(">10⁰<"))
        SVGValidation.assertValid(rendered.svg, name: "histogram-pareto")

        let forcedLinear = HeavyTailFigures.histogramAxes(samples: pareto, title: "", xLabel: "", logarithmicX: false)
        XCTAssertEqual(forcedLinear.xScale, .linear)
        XCTAssertEqual(forcedLinear.yLabel, "Probability density")
    }

    func testComplementaryCDFDrawsThePowerLawFromXmin() throws {
        let xmin = 0.8, alpha = 1.5
        let axes = HeavyTailFigures.complementaryCDFAxes(samples: pareto, powerLawXmin: xmin, powerLawAlpha: alpha,
                                                         title: "", xLabel: "x")
        XCTAssertEqual(axes.xScale, .log10)
        XCTAssertEqual(axes.yScale, .log10)
        XCTAssertEqual(axes.yLabel, "P(X ≥ x)")
        guard case let .scatter(x, p) = axes.series[0].content,
              case let .line(fitX, fitY) = axes.series[1].content,
              case let .verticalLine(markerX) = axes.series.last?.content else { return XCTFail("unexpected series") }
        XCTAssertLessThanOrEqual(x.count, HeavyTailFigures.maximumCCDFPoints)
        XCTAssertEqual(x.count, p.count)
        let tailFraction = Double(pareto.filter { $0 >= xmin }.count) / Double(pareto.count)
        let largest = pareto.max()!
        XCTAssertEqual(fitX, [xmin, largest])
        XCTAssertEqual(fitY[0], tailFraction, accuracy: 1e-12)
        XCTAssertEqual(fitY[1], tailFraction * pow(largest / xmin, -alpha), accuracy: 1e-15)
        XCTAssertEqual(markerX, xmin)
        XCTAssertEqual(axes.series[1].label, "Power law, α = 1.5")
        XCTAssertEqual(axes.series.last?.label, "x_{min} = 0.8")

        let rendered = HeavyTailFigures.complementaryCDF(samples: pareto, powerLawXmin: xmin, powerLawAlpha: alpha).render()
        XCTAssertEqual(rendered.droppedPointCount, 0)
        SVGValidation.assertValid(rendered.svg, name: "ccdf-pareto")
    }

    func testComplementaryCDFOfALargeSampleStaysSmall() {
        let large = Fixtures.pareto(count: 200_000, seed: 5)
        let rendered = HeavyTailFigures.complementaryCDF(samples: large, powerLawXmin: 1, powerLawAlpha: 1.5).render()
        XCTAssertLessThan(rendered.svg.utf8.count, 60_000)
        SVGValidation.assertValid(rendered.svg, name: "ccdf-200k")
    }

    func testComplementaryCDFReportsZerosNegativesAndNaNs() {
        let rendered = HeavyTailFigures.complementaryCDF(samples: [0, -2, .nan, 1, 2, 3], powerLawXmin: nil,
                                                         powerLawAlpha: nil).render()
        XCTAssertEqual(rendered.droppedPoints, DroppedPoints(nonFinite: 1, nonPositiveOnLogAxis: 2))
        XCTAssertEqual(rendered.notices, ["1 point with NaN or infinite values not drawn",
                                          "2 points ≤ 0 not drawn on a log axis"])
        XCTAssertFalse(rendered.svg.contains("Power law"))
        SVGValidation.assertValid(rendered.svg, name: "ccdf-with-bad-samples")
    }

    func testHillPlotShowsBandReferenceLineAndChosenK() throws {
        let hill = Fixtures.hill(pareto)
        let chosen = hill.k[35]
        let axes = HeavyTailFigures.hillAxes(k: hill.k, alpha: hill.alpha, lower: hill.lower, upper: hill.upper,
                                             chosenK: chosen, title: "Hill plot")
        XCTAssertEqual(axes.xLabel, "Number of upper order statistics k")
        XCTAssertEqual(axes.yLabel, "Tail index α̂ (Hill)")
        XCTAssertEqual(axes.xScale, .log10)
        let yLimits = try XCTUnwrap(axes.yLimits)
        XCTAssertTrue(yLimits.contains(2))
        // Limits come from the plateau around the chosen k (k ≥ chosen/4), not from small-k noise,
        // and the chosen estimate always lies inside them.
        let stableUpper = zip(hill.k, hill.upper).filter { $0.0 >= max(10, chosen / 4) }.map(\.1).max()!
        XCTAssertGreaterThanOrEqual(yLimits.upperBound, stableUpper)
        XCTAssertTrue(yLimits.contains(hill.alpha[35]))
        let smallKUpper = zip(hill.k, hill.upper).filter { $0.0 < chosen / 4 }.map(\.1).max() ?? 0
        if smallKUpper > stableUpper { XCTAssertLessThan(yLimits.upperBound, smallKUpper, "small-k noise does not set the range") }
        let labels = axes.series.compactMap(\.label)
        XCTAssertEqual(labels, ["95% confidence band", "Hill estimate α̂", "α = 2 (infinite variance below)",
                                "Chosen k = \(chosen), α̂ = " + NumberLabels.quoted(hill.alpha[35])])

        let rendered = HeavyTailFigures.hillPlot(k: hill.k, alpha: hill.alpha, lower: hill.lower, upper: hill.upper,
                                                 chosenK: chosen).render()
        XCTAssertTrue(rendered.svg.contains(">α = 2 (infinite variance below)<"))
        XCTAssertTrue(rendered.svg.contains(">Tail index α̂ (Hill)<"))
        SVGValidation.assertValid(rendered.svg, name: "hill-pareto")

        let withoutChoice = HeavyTailFigures.hillPlot(k: [1, 2, 3], alpha: [1, .nan, 2], lower: [0.5, 1, 1],
                                                      upper: [2, 3, 3], chosenK: nil).render()
        XCTAssertEqual(withoutChoice.droppedPoints.nonFinite, 1)
        SVGValidation.assertValid(withoutChoice.svg, name: "hill-small")
    }

    func testSummaryHasThreePanelsAndAnOverallTitle() {
        let hill = Fixtures.hill(pareto)
        let figure = HeavyTailFigures.summary(samples: pareto, powerLawXmin: 0.6, powerLawAlpha: 1.45, hillK: hill.k,
                                              hillAlpha: hill.alpha, hillLower: hill.lower, hillUpper: hill.upper,
                                              chosenK: hill.k[30], title: "Run 7: is the noise heavy-tailed?")
        XCTAssertEqual(figure.panels.count, 3)
        XCTAssertEqual(figure.columns, 3)
        let svg = figure.render().svg
        XCTAssertTrue(svg.contains(">Run 7: is the noise heavy-tailed?<"))
        XCTAssertTrue(svg.contains(">P(X ≥ x)<"))
        SVGValidation.assertValid(svg, name: "summary-pareto")
    }

    func testBuildersSurviveEmptyInput() {
        let figure = HeavyTailFigures.summary(samples: [], powerLawXmin: 1, powerLawAlpha: 2, hillK: [], hillAlpha: [],
                                              hillLower: [], hillUpper: [], chosenK: 5)
        let rendered = figure.render()
        XCTAssertEqual(rendered.droppedPointCount, 0)
        XCTAssertEqual(rendered.notices, [])
        SVGValidation.assertValid(rendered.svg, name: "summary-empty")
    }
}
