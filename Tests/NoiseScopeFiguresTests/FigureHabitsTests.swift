import Foundation
import XCTest
import NoiseScopeCore
import NoiseScopeStatistics
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Issue 16, the ready-made figures: the Hill plot's legend, chosen point and band; the
/// signed coordinate histogram on symlog; the verdict's alternatives on the tail plot.
final class FigureHabitsTests: XCTestCase {

    /// The noise overlay's y range holds the data and every null drawn on the data's
    /// bins (a spectrum reference narrower than the data peaks higher and must not
    /// run off the top); only the isotropic spike, far narrower, may.
    func testOverlayShowsTheNullsDrawnOnTheDataBins() throws {
        let random = RandomSource(seed: 5)
        func norms(_ spread: Double) -> [Double] { (0..<4000).map { _ in 1 + spread * random.gaussian() } }
        let data = norms(0.1), matched = norms(0.1), narrow = norms(0.03), spike = norms(0.001)
        let axes = NoiseFigures.overlayAxes(data, matched: ("matched", matched), isotropic: ("isotropic", spike),
                                            spectrum: ("spectrum", narrow), title: "overlay")
        let top = try XCTUnwrap(axes.yLimits?.upperBound)
        func scaled(_ values: [Double]) -> [Double] {
            let median = quantile(ofSorted: values.sorted(), probability: 0.5)
            return values.map { $0 / median }
        }
        let edges = Histogram(samples: scaled(data)).edges
        let narrowPeak = try XCTUnwrap(Histogram(samples: scaled(narrow), binning: .edges(edges)).values.max())
        let spikePeak = try XCTUnwrap(Histogram(samples: scaled(spike), binning: .count(30)).values.max())
        XCTAssertGreaterThanOrEqual(top, narrowPeak * 1.15 - 1e-9)
        XCTAssertLessThan(top, spikePeak, "the isotropic spike still runs off the top")
    }

    func testHillPlotLegendCoversNoData() throws {
        let samples = Fixtures.pareto(count: 3000, alpha: 1.5, xmin: 1, seed: 2024)
        let hill = Fixtures.hill(samples)
        for chosen in [hill.k[20], hill.k[40]] {
            let figure = HeavyTailFigures.hillPlot(k: hill.k, alpha: hill.alpha, lower: hill.lower, upper: hill.upper,
                                                   chosenK: chosen)
            let (_, drawn, frame, _) = try legendAndData(figure)
            for series in drawn where series.obstacles.weight >= 10 {
                XCTAssertEqual(series.obstacles.coverage(of: frame), 0, "legend covers \(series.label ?? "data")")
            }
        }
    }

    func testChosenEstimateOfAChiSampleIsInsideTheAxes() throws {
        let samples = SyntheticDistribution.gaussianNorm(dimension: 100).sample(count: 3000, seed: 11)
        let report = try TailCheck.run(samples, options: .init(seed: 1, bootstrapReplicates: 0))
        let figures = CheckFigures.figures(samples: samples, report: report)
        let hill = try XCTUnwrap(figures.first { $0.name == "hill_plot.svg" }?.figure)
        let layout = SVGRenderer.layouts(of: hill)[0]
        let marker = try XCTUnwrap(hill.panels[0].series.last)
        guard case let .scatter(x, y) = marker.content else { return XCTFail("no marker") }
        XCTAssertEqual(x, [Double(report.kSelection.k)])
        XCTAssertGreaterThan(y[0], 5, "a light tail: α̂ is large at the chosen k")
        let point = Point(x: layout.x.pixel(x[0]), y: layout.y.pixel(y[0]))
        XCTAssertTrue(layout.plot.contains(point), "marker at \(point) outside \(layout.plot)")
        let svg = hill.render().svg
        XCTAssertTrue(svg.contains("Chosen k = \(report.kSelection.k), α̂ = "))
        SVGValidation.assertValid(svg, name: "hill-chi100")
    }

    func testHillBandNeverReachesTheBottomOfTheAxes() throws {
        // The asymptotic band of the fixture is negative for k < 4.
        let hill = Fixtures.hill(Fixtures.pareto(count: 3000, alpha: 1.5, seed: 7))
        XCTAssertLessThan(hill.lower[0], 0)
        let figure = HeavyTailFigures.hillPlot(k: hill.k, alpha: hill.alpha, lower: hill.lower, upper: hill.upper,
                                               chosenK: hill.k[30])
        let layout = SVGRenderer.layouts(of: figure)[0]
        let band = SeriesGeometry.build(layout)[0]
        guard case let .areas(areas, _) = band.shape else { return XCTFail("band is not an area") }
        let points = areas.joined()
        XCTAssertFalse(points.isEmpty)
        XCTAssertTrue(points.allSatisfy { $0.y < layout.plot.maxY - 1 && $0.y > layout.plot.minY + 1 })
        // The exact interval is positive where the asymptotic one is not.
        let exact = HeavyTailFigures.hillInterval(alpha: 1.5, k: 2)
        XCTAssertGreaterThan(try XCTUnwrap(exact.lower), 0)
        XCTAssertGreaterThan(try XCTUnwrap(exact.upper), 1.5)
    }

    func testCoordinateHistogramOfSignedHeavyNoiseIsNotOneSpike() throws {
        var generator = LinearCongruentialGenerator(seed: 5)
        let coordinates = (0..<20_000).map { _ -> Double in
            let magnitude = 1e-4 * generator.nextPareto(alpha: 1.2, xmin: 1)
            return generator.nextUniform() < 0.5 ? -magnitude : magnitude
        }
        let axes = NoiseFigures.coordinateHistogramAxes(coordinates, title: "Coordinates of g_B − ∇f")
        XCTAssertEqual(axes.xScale, .symlog(linearThreshold: 1e-4))
        XCTAssertEqual(axes.yScale, .log10)
        guard case let .histogram(histogram) = axes.series[0].content else { return XCTFail("no histogram") }
        // Bars are spread over the axis: more than half the bins hold data.
        XCTAssertGreaterThan(histogram.counts.filter { $0 > 0 }.count, histogram.counts.count / 2)
        XCTAssertEqual(histogram.counts.reduce(0, +), coordinates.count)
        let rendered = Figure(axes).render()
        XCTAssertEqual(rendered.droppedPointCount, 0)
        SVGValidation.assertValid(rendered.svg, name: "coordinate-histogram-symlog")
    }

    func testTailPlotDrawsTheLognormalAndExponentialAlternatives() throws {
        let samples = Fixtures.pareto(count: 3000, alpha: 1.5, xmin: 1, seed: 2024)
        let axes = HeavyTailFigures.complementaryCDFAxes(samples: samples, powerLawXmin: 2, powerLawAlpha: 1.5,
                                                         title: "Tail", xLabel: "x")
        let labels = axes.series.compactMap(\.label)
        XCTAssertEqual(labels.count, 5)
        XCTAssertTrue(labels[1].hasPrefix("Power law, α = 1.5"))
        XCTAssertTrue(labels[2].hasPrefix("Lognormal, μ = "))
        XCTAssertTrue(labels[3].hasPrefix("Exponential, λ = "))
        XCTAssertEqual(labels[4], "x_{min} = 2")
        // The exponential rate is 1 / mean excess over xmin.
        let tail = samples.filter { $0 >= 2 }
        let alternatives = try XCTUnwrap(TailAlternatives(samples: samples, xmin: 2))
        XCTAssertEqual(alternatives.exponentialRate, Double(tail.count) / tail.reduce(0) { $0 + $1 - 2 }, accuracy: 1e-12)
        // Curves start at P(X ≥ xmin) and never go below 1/n (so they cannot stretch the axis).
        guard case let .line(x, y) = axes.series[2].content else { return XCTFail("no lognormal line") }
        XCTAssertEqual(x[0], 2)
        XCTAssertEqual(y[0], Double(tail.count) / 3000, accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(y.min()!, 1 / 3000.0 * (1 - 1e-12))
        let rendered = Figure(axes).render()
        XCTAssertEqual(rendered.notices, [])
        SVGValidation.assertValid(rendered.svg, name: "ccdf-alternatives")
    }

    func testTruncatedLognormalFitRecoversItsParameters() throws {
        var generator = LinearCongruentialGenerator(seed: 9)
        let samples = (0..<20_000).map { _ -> Double in
            // Box–Muller: lognormal with μ = 0.5, σ = 0.8.
            let u = generator.nextUniform(), v = generator.nextUniform()
            return exp(0.5 + 0.8 * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
        }
        let fit = try XCTUnwrap(TailAlternatives(samples: samples, xmin: 2))
        XCTAssertEqual(fit.lognormalMu, 0.5, accuracy: 0.15)
        XCTAssertEqual(fit.lognormalSigma, 0.8, accuracy: 0.08)
        XCTAssertEqual(fit.lognormalSurvival(2), 1, accuracy: 1e-12)
    }
}
