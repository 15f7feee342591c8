import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics

/// The heavier-higher-up test: its statistic is the ratio of Rényi spacings it
/// says it is, it holds its level on exact Pareto tails, it does not fire on
/// tails whose second-order term makes the top lighter, and it finds a thin
/// heavy tail above a light body (the held-out case that `heavy` got wrong).
final class HeavierHigherUpTests: XCTestCase {
    func testRatioIsTheMeanOfTheTopSpacingsOverTheRest() throws {
        let random = RandomSource(seed: 3)
        let sample = (0..<500).map { _ in random.pareto(alpha: 2) }
        let data = OrderStatistics(samples: sample)
        let result = try XCTUnwrap(HeavierHigherUp.test(data, k: 100, ms: [20]))
        let logs = sample.sorted(by: >).map { log($0) }
        // Spacing i (1-based): i·(log X(i) − log X(i+1)).
        let spacings = (1...100).map { Double($0) * (logs[$0 - 1] - logs[$0]) }
        let expected = (spacings[0..<20].reduce(0, +) / 20) / (spacings[20..<100].reduce(0, +) / 80)
        XCTAssertEqual(result.ratio, expected, accuracy: 1e-12 * expected)
        XCTAssertEqual(result.m, 20)
    }

    func testHoldsItsLevelOnParetoTails() {
        var rejected = 0
        for seed in UInt64(0)..<200 {
            let random = RandomSource(seed: 1000 + seed)
            let data = OrderStatistics(samples: (0..<4000).map { _ in random.pareto(alpha: 1 + Double(seed % 3)) })
            let ks = TailVerdictRule().grid(n: 4000, available: 4000)
            if let p = HeavierHigherUp.test(data, k: 800, ms: ks)?.p, p < 0.01 { rejected += 1 }
        }
        // Bonferroni over the grid keeps the rate at or below 1 %: 2 expected of 200, 7 is p ≈ 0.005.
        XCTAssertLessThanOrEqual(rejected, 6)
    }

    func testSecondOrderTailsAreNotHeavierAtTheTop() {
        for (name, distribution) in [("|t| 3", SyntheticDistribution.absoluteStudentT(nu: 3)), ("fréchet 1.5", .frechet(alpha: 1.5)), ("burr 3", .burr(alpha: 3))] {
            var fired = 0
            for seed in UInt64(0)..<20 {
                let random = RandomSource(seed: 50 + seed)
                let data = OrderStatistics(samples: (0..<10_000).map { _ in distribution.draw(random) })
                if let p = HeavierHigherUp.test(data, k: 1000, ms: TailVerdictRule().grid(n: 10_000, available: 10_000)).map(\.p), p < 0.01 { fired += 1 }
            }
            XCTAssertLessThanOrEqual(fired, 1, name)
        }
    }

    func testFindsAThinHeavyTailAboveALightBody() throws {
        let index = try XCTUnwrap(CalibrationBattery.heldOut.firstIndex { $0.name == "lognormal σ=0.5 + 2 % pareto 1.2" })
        for seed in UInt64(0)..<4 {
            let data = OrderStatistics(samples: CalibrationBattery.sample(index, n: 10_000, seed: seed, kind: .heldOut))
            let result = try XCTUnwrap(HeavierHigherUp.test(data, k: 1000, ms: TailVerdictRule().grid(n: 10_000, available: 10_000)))
            XCTAssertLessThan(result.p, 1e-4, "seed \(seed)")
            XCTAssertGreaterThan(result.ratio, 1.5)
        }
    }

    /// On the values (the check before `light`): exact under an exponential tail,
    /// silent on tails lighter than exponential, firing on a power law above a light body.
    func testLinearSpacingsHoldTheirLevelOnExponentialsAndSpareLighterTails() {
        let ks = TailVerdictRule().grid(n: 5000, available: 5000)
        var rejected = 0
        for seed in UInt64(0)..<200 {
            let random = RandomSource(seed: 3000 + seed)
            let data = OrderStatistics(samples: (0..<5000).map { _ in 2 + random.exponential(mean: 3) })
            if let p = HeavierHigherUp.test(data, k: 1000, ms: ks, logScale: false)?.p, p < 0.01 { rejected += 1 }
        }
        XCTAssertLessThanOrEqual(rejected, 6, "level 1 % on exact exponential tails (shifted and scaled)")
        for (name, distribution) in [("half-normal", SyntheticDistribution.halfNormal), ("gamma 3", .gamma(shape: 3)), ("χ 10", .gaussianNorm(dimension: 10))] {
            var fired = 0
            for seed in UInt64(0)..<20 {
                let random = RandomSource(seed: 70 + seed)
                let data = OrderStatistics(samples: (0..<5000).map { _ in distribution.draw(random) })
                if let p = HeavierHigherUp.test(data, k: 1000, ms: ks, logScale: false)?.p, p < 0.01 { fired += 1 }
            }
            XCTAssertEqual(fired, 0, name)
        }
        var found = 0
        for seed in UInt64(0)..<20 {
            let random = RandomSource(seed: 90 + seed)
            let data = OrderStatistics(samples: (0..<10_000).map { _ in random.uniformPositive() < 0.1 ? random.pareto(alpha: 2.5) : random.exponential() })
            if let p = HeavierHigherUp.test(data, k: 2000, ms: TailVerdictRule().grid(n: 10_000, available: 10_000), logScale: false)?.p, p < 0.01 { found += 1 }
        }
        XCTAssertGreaterThanOrEqual(found, 16, "an exponential with 10 % Pareto(2.5) (the first held-out battery's case): the power law above the body")
    }
}
