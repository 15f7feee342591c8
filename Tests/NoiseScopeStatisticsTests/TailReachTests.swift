import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics

/// TailReach against scipy (tools/fixtures/make_tail_reach_reference.py:
/// quadrature and brentq, no GSL) and against the battery's own samplers.
final class TailReachTests: XCTestCase {
    func testCutoffSurvivalMatchesQuadrature() {
        for (alpha, lambda, expected) in [(1.8, 10.0, 0.00815471991080635), (2.5, 30, 0.00016540280017714824),
                                          (3, 100, 1.1059745653073034e-06), (1.5, 100, 0.0005078350927344225)] {
            let s = TailReach.cutoffSurvival(1 + lambda * log(2), alpha: alpha, lambda: lambda)
            XCTAssertEqual(s / expected, 1, accuracy: 1e-6, "α = \(alpha), λ = \(lambda)")
            let draws = TailReach.featureDraws(.cutoffPowerLaw(alpha: alpha, lambda: lambda), n: 10_000)
            XCTAssertEqual(draws ?? .nan, 10_000 * expected, accuracy: 1e-6 * 10_000 * expected)
        }
    }

    func testParetoMassAboveTheBodyMatchesBrentq() {
        let cases: [(SyntheticDistribution, Double, Double, Double)] = [
            (.exponential, 0.02, 2.5, 7.138667960964993e-05), (.gaussianNorm(dimension: 10), 0.01, 3.5, 1.5595006332965675e-05),
            (.halfNormal, 0.01, 3, 0.00019350174372249643), (.lognormal(sigma: 1), 0.1, 1.8, 0.00016301566302840016),
            (.gamma(shape: 3), 0.05, 2.2, 0.00016967839497773393)]
        for (body, w, alpha, mass) in cases {
            let draws = TailReach.featureDraws(.bodyWithParetoTail(body: body, fraction: w, alpha: alpha), n: 100_000)
            XCTAssertEqual((draws ?? .nan) / (100_000 * mass), 1, accuracy: 1e-6, "\(body)")
        }
        // A body the reach knows nothing about gives no number, not a guess.
        XCTAssertNil(TailReach.featureDraws(.bodyWithParetoTail(body: .weibull(shape: 2), fraction: 0.01, alpha: 3), n: 1000))
        XCTAssertNil(TailReach.featureDraws(.synthetic(.pareto(alpha: 2, xmin: 1)), n: 1000))
    }

    /// The battery's rejection sampler of the cutoff law puts the predicted share of draws above 1 + λ log 2.
    func testCutoffSamplerAgreesWithItsSurvival() {
        let n = 200_000, lambda = 10.0, alpha = 1.8
        let samples = BatteryDistribution.cutoffPowerLaw(alpha: alpha, lambda: lambda).sample(count: n, random: RandomSource(seed: 11))
        let threshold = 1 + lambda * log(2)
        let expected = Double(n) * TailReach.cutoffSurvival(threshold, alpha: alpha, lambda: lambda)
        let observed = Double(samples.filter { $0 > threshold }.count)
        XCTAssertEqual(observed, expected, accuracy: 4 * expected.squareRoot())
    }

    /// Above the crossing, draws from the mixture sampler: twice the Pareto mass (the body holds as much there).
    func testMixtureSamplerAgreesWithItsCrossing() {
        let n = 1_000_000
        let mixture = BatteryDistribution.bodyWithParetoTail(body: .exponential, fraction: 0.02, alpha: 2.5)
        let samples = mixture.sample(count: n, random: RandomSource(seed: 12))
        let crossing = 9.52719655879466
        let expected = 2 * (TailReach.featureDraws(mixture, n: n) ?? .nan)
        let observed = Double(samples.filter { $0 > crossing }.count)
        XCTAssertEqual(observed, expected, accuracy: 4 * expected.squareRoot())
    }

    func testTruthWithinReach() {
        func truth(_ name: String, _ kind: CalibrationBattery.Kind, _ n: Int) -> TailVerdict? {
            kind.cases.first { $0.name == name }?.truth(withinReachOf: n)
        }
        // A cutoff no draw reaches is the power law it bends; one that many reach is light.
        XCTAssertEqual(truth("pareto 3 cutoff λ=100", .heldOut3, 100_000), .heavy)
        XCTAssertEqual(truth("pareto 2.5 cutoff λ=30", .heldOut, 10_000), .heavy)
        XCTAssertEqual(truth("pareto 2.5 cutoff λ=30", .heldOut, 100_000), .light)
        XCTAssertEqual(truth("pareto 1.8 cutoff λ=10", .heldOut3, 10_000), .light)
        // A thin power law shows from about 3.5 expected draws above the body.
        XCTAssertEqual(truth("exponential + 2 % pareto 2.5", .heldOut3, 10_000), .light)
        XCTAssertEqual(truth("exponential + 2 % pareto 2.5", .heldOut3, 100_000), .heavy)
        XCTAssertEqual(truth("lognormal σ=1 + 10 % pareto 1.8", .heldOut2, 10_000), .light)
        XCTAssertEqual(truth("lognormal σ=1 + 10 % pareto 1.8", .heldOut2, 100_000), .infiniteVariance)
        // Every other kind keeps its truth at every n.
        for n in [1000, 100_000] {
            for kind in CalibrationBattery.Kind.allCases {
                for c in kind.cases where c.featureDraws(n: n) == nil { XCTAssertEqual(c.truth(withinReachOf: n), c.truth, c.name) }
            }
        }
    }
}
