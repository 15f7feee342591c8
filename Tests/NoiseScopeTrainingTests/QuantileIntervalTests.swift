import Foundation
import NoiseScopeCore
import XCTest
@testable import NoiseScopeTraining
import NoiseScopeStatistics

/// The order-statistic interval for a quantile: its orders against a hand
/// computation, its coverage against a known median, and how wide it is where
/// the simulation's δ = 0.001 quantile rests on five replicates.
final class QuantileIntervalTests: XCTestCase {
    func testOrdersOfASmallSampleMatchTheBinomialTable() {
        // n = 10, p = 1/2: F(1) = 11/1024 ≤ 0.025 < F(2) = 56/1024, so j = 2;
        // F(7) = 968/1024 < 0.975 ≤ F(8) = 1013/1024, so k = 9 (coverage 0.979).
        let orders = QuantileInterval.orders(count: 10, probability: 0.5)
        XCTAssertEqual(orders.lower, 2)
        XCTAssertEqual(orders.upper, 9)
        // Five draws cannot bracket the median at 95 %: P(B = 0) = 1/32 > 0.025.
        let five = QuantileInterval.orders(count: 5, probability: 0.5)
        XCTAssertNil(five.lower)
        XCTAssertNil(five.upper)
    }

    func testCoversTheMedianOfAnExponentialAtLeastNinetyThreePercent() {
        let median = log(2.0)
        var covered = 0
        let repetitions = 200
        for repetition in 0..<repetitions {
            let random = RandomSource(seed: 1000 + UInt64(repetition))
            let sample = (0..<5000).map { _ in random.exponential(mean: 1) }.sorted()
            let (lower, upper) = QuantileInterval.bounds(ofSorted: sample, probability: 0.5)
            if let lower, let upper, lower <= median, median <= upper { covered += 1 }
        }
        let coverage = Double(covered) / Double(repetitions)
        XCTAssertGreaterThanOrEqual(coverage, 0.93, "coverage \(coverage)")
        print("QuantileIntervalTests: coverage of the median over \(repetitions) samples of 5000: \(coverage)")
    }

    func testTheDeltaThousandthIntervalRestsOnFiveValuesAndIsWide() {
        // R = 5000, δ = 0.001: R − B is about Poisson(5); the interval runs from
        // the 11th largest draw to the largest.
        let orders = QuantileInterval.orders(count: 5000, probability: 0.999)
        XCTAssertEqual(orders.lower, 4990)
        XCTAssertEqual(orders.upper, 5000)
        let median = QuantileInterval.orders(count: 5000, probability: 0.5)
        XCTAssertEqual(Double(median.upper! - median.lower!), 138, accuracy: 4, "about 2 · 1.96 · √(5000/4) orders")
        // On a Pareto(α = 1.5) sample the δ = 0.001 interval spans a factor of
        // several, the median's a few per cent.
        let random = RandomSource(seed: 7)
        let sample = (0..<5000).map { _ in random.pareto(alpha: 1.5) }.sorted()
        let tail = QuantileInterval.bounds(ofSorted: sample, probability: 0.999)
        let centre = QuantileInterval.bounds(ofSorted: sample, probability: 0.5)
        XCTAssertGreaterThan(tail.upper! / tail.lower!, 2)
        XCTAssertLessThan(centre.upper! / centre.lower!, 1.1)
    }

    func testTheSimulationCarriesTheIntervals() throws {
        var simulation = HeavyTailSimulation()
        simulation.steps = 50
        simulation.replicates = 400
        let result = try simulation.run()
        for method in result.methods {
            let sorted = method.finalErrors.sorted()
            for q in method.quantiles {
                let expected = QuantileInterval.bounds(ofSorted: sorted, probability: q.level)
                XCTAssertEqual(q.lower95, expected.lower)
                XCTAssertEqual(q.upper95, expected.upper)
                if let lower = q.lower95, let upper = q.upper95 { XCTAssertTrue(lower <= q.value && q.value <= upper) }
            }
            // 400 replicates: δ = 0.001 has R·δ = 0.4 and no upper end; δ = 0.5 has both.
            XCTAssertNil(method.quantiles[3].upper95)
            XCTAssertNotNil(method.quantiles[0].lower95)
        }
    }
}
