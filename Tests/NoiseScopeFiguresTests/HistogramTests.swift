import Foundation
import XCTest
@testable import NoiseScopePlot
@testable import NoiseScopeFigures

/// Binning rules, counts, densities and the empirical complementary CDF.
final class HistogramTests: XCTestCase {
    func testFreedmanDiaconisWidthMatchesHandComputation() throws {
        // 1…8: quartiles by linear interpolation are 2.75 and 6.25, so IQR = 3.5;
        // n^(1/3) = 2, hence h = 2 · 3.5 / 2 = 3.5.
        let samples = (1...8).map(Double.init)
        XCTAssertEqual(try XCTUnwrap(Histogram.freedmanDiaconisWidth(samples)), 3.5, accuracy: 1e-12)
        // 27 samples 0…26: IQR = 19.5 − 6.5 = 13, n^(1/3) = 3, h = 26/3.
        let moreSamples = (0..<27).map(Double.init)
        XCTAssertEqual(try XCTUnwrap(Histogram.freedmanDiaconisWidth(moreSamples)), 26.0 / 3, accuracy: 1e-12)
        XCTAssertNil(Histogram.freedmanDiaconisWidth([1]))
        XCTAssertNil(Histogram.freedmanDiaconisWidth([2, 2, 2, 2]))

        let histogram = Histogram(samples: samples, normalization: .count)
        XCTAssertEqual(histogram.edges, [1, 4.5, 8])
        XCTAssertEqual(histogram.counts, [4, 4])
    }

    func testCountsSumToNAndDensityIntegratesToOne() {
        let samples = Fixtures.pareto(count: 5000, alpha: 2.5)
        let histogram = Histogram(samples: samples)
        XCTAssertEqual(histogram.counts.reduce(0, +), 5000)
        XCTAssertLessThanOrEqual(histogram.counts.count, Histogram.maximumAutomaticBinCount)
        let integral = histogram.values.indices.reduce(0.0) { $0 + histogram.values[$1] * histogram.binWidth($1) }
        XCTAssertEqual(integral, 1, accuracy: 1e-12)
        XCTAssertEqual(histogram.edges.first, samples.min())
        XCTAssertEqual(histogram.edges.last, samples.max())
    }

    func testLogarithmicBinsIntegrateToOnePerDecadeAndDropNonPositiveSamples() {
        let samples = Fixtures.pareto(count: 2000) + [0, -1, .nan, .infinity]
        let histogram = Histogram(samples: samples, spacing: .logarithmic)
        XCTAssertEqual(histogram.counts.reduce(0, +), 2000)
        XCTAssertEqual(histogram.dropped, DroppedPoints(nonFinite: 2, nonPositiveOnLogAxis: 2))
        let integral = histogram.values.indices.reduce(0.0) {
            $0 + histogram.values[$1] * (log10(histogram.edges[$1 + 1]) - log10(histogram.edges[$1]))
        }
        XCTAssertEqual(integral, 1, accuracy: 1e-12)
        // Equal widths in log10 x.
        let widths = histogram.counts.indices.map { histogram.binWidth($0) }
        XCTAssertEqual(widths.max()!, widths.min()!, accuracy: 1e-9)
    }

    func testExplicitBinCountAndEdges() {
        let samples = [0.5, 1.5, 1.7, 2.5, 9.0]
        let byCount = Histogram(samples: samples, binning: .count(4), normalization: .count)
        XCTAssertEqual(byCount.counts.count, 4)
        XCTAssertEqual(byCount.counts.reduce(0, +), 5)
        let byEdges = Histogram(samples: samples, binning: .edges([0, 1, 2, 3]), normalization: .count)
        XCTAssertEqual(byEdges.edges, [0, 1, 2, 3])
        XCTAssertEqual(byEdges.counts, [1, 2, 1])
        XCTAssertEqual(byEdges.outsideEdgesCount, 1)
        // The last bin is closed on the right.
        XCTAssertEqual(Histogram(samples: [0, 3], binning: .edges([0, 1, 2, 3]), normalization: .count).counts, [1, 0, 1])
    }

    func testDegenerateSamplesDoNotCrash() {
        let constant = Histogram(samples: [4, 4, 4], normalization: .count)
        XCTAssertEqual(constant.edges, [3.5, 4.5])
        XCTAssertEqual(constant.counts, [3])
        let sturges = Histogram(samples: Array(repeating: 5.0, count: 10) + [6, 7], normalization: .count)
        XCTAssertEqual(sturges.counts.count, 5) // IQR = 0: ⌈log₂ 12⌉ + 1 bins
        let empty = Histogram(samples: [.nan])
        XCTAssertEqual(empty.edges, [])
        XCTAssertEqual(empty.values, [])
        XCTAssertEqual(empty.dropped.nonFinite, 1)
    }

    func testEmpiricalCCDFWithTies() {
        let ccdf = EmpiricalCCDF(samples: [3, 1, 2, 2, .nan])
        XCTAssertEqual(ccdf.values, [1, 2, 3])
        XCTAssertEqual(ccdf.probabilities, [1, 0.75, 0.25])
        XCTAssertEqual(ccdf.nonFiniteCount, 1)
        XCTAssertEqual(ccdf.probability(atLeast: 2), 0.75)
        XCTAssertEqual(ccdf.probability(atLeast: 2.5), 0.25)
        XCTAssertEqual(ccdf.probability(atLeast: 4), 0)
    }

    func testCCDFThinningKeepsTheExtremeTailExactAndIsDeterministic() {
        let samples = Fixtures.pareto(count: 50_000, seed: 7)
        let ccdf = EmpiricalCCDF(samples: samples)
        let thinned = ccdf.thinnedPositivePoints(maximumPoints: 2000, exactTailCount: 500)
        XCTAssertLessThanOrEqual(thinned.x.count, 2000)
        XCTAssertGreaterThan(thinned.x.count, 1500)
        let largest = Array(samples.sorted().suffix(500))
        XCTAssertEqual(Array(thinned.x.suffix(500)), largest)
        XCTAssertEqual(thinned.p.last!, 1.0 / 50_000, accuracy: 1e-15)
        XCTAssertEqual(thinned.x.first, samples.min())
        XCTAssertEqual(thinned.p.first, 1)
        XCTAssertEqual(thinned.x, thinned.x.sorted())
        let again = EmpiricalCCDF(samples: samples).thinnedPositivePoints(maximumPoints: 2000, exactTailCount: 500)
        XCTAssertEqual(again.x, thinned.x)
        // Small samples are not thinned at all.
        XCTAssertEqual(EmpiricalCCDF(samples: [1, 2, 3]).thinnedPositivePoints().x, [1, 2, 3])
    }
}
