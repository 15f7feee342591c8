import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics

/// Hill, moments and Pickands against hand computations and against samples
/// of known tail index. Tolerances come from each estimator's standard error
/// at the k used: a deviation beyond 4 standard errors (probability < 1e-4
/// under the estimator's own asymptotics) fails.
final class TailEstimatorTests: XCTestCase {
    func testHillByHand() {
        // Values 16, 8, 4, 2, 1: at k = 2, γ̂ = (log 16 + log 8)/2 − log 4 = 1.5 log 2.
        let data = OrderStatistics(samples: [1, 2, 4, 8, 16])
        let hill = HillEstimator.estimate(data, k: 2)
        XCTAssertEqual(hill.gamma, 1.5 * log(2), accuracy: 1e-15)
        XCTAssertEqual(hill.alpha!, 1 / (1.5 * log(2)), accuracy: 1e-14)
        // Exact interval: γ ∈ [kγ̂/G(0.975), kγ̂/G(0.025)] with Gamma(2,1) quantiles.
        let interval = hill.gammaInterval95
        XCTAssertEqual(interval.lower!, 2 * hill.gamma / SpecialFunctions.gammaQuantile(0.975, shape: 2), accuracy: 1e-14)
        XCTAssertEqual(interval.upper!, 2 * hill.gamma / SpecialFunctions.gammaQuantile(0.025, shape: 2), accuracy: 1e-14)
        XCTAssertEqual(hill.alphaInterval95.lower!, 1 / interval.upper!, accuracy: 1e-14)
    }

    func testMomentEstimatorByHand() {
        let data = OrderStatistics(samples: [1, 2, 4, 8, 16])
        // Log-excesses over X(3) = 4 at k = 2: log 4, log 2 → M1 = 1.5 log 2, M2 = 2.5 log² 2.
        let (m1, m2) = data.logExcessMoments(k: 2)
        XCTAssertEqual(m1, 1.5 * log(2), accuracy: 1e-14)
        XCTAssertEqual(m2, 2.5 * log(2) * log(2), accuracy: 1e-14)
        let expected = m1 + 1 - 0.5 / (1 - m1 * m1 / m2)
        XCTAssertEqual(MomentEstimator.estimate(data, k: 2)!.gamma, expected, accuracy: 1e-14)
    }

    func testPickandsByHand() {
        // X(1..8) = 8..1: at k = 2, (X(2) − X(4)) / (X(4) − X(8)) = (7 − 5)/(5 − 1) → γ̂ = log(0.5)/log 2 = −1.
        let data = OrderStatistics(samples: (1...8).map(Double.init))
        XCTAssertEqual(PickandsEstimator.estimate(data, k: 2)!.gamma, -1, accuracy: 1e-15)
    }

    /// Hill on exact Pareto samples with k = n − 1 (the whole sample is tail):
    /// standard error α/√k.
    func testHillRecoversParetoTailIndex() {
        for (index, alpha) in [1.2, 1.5, 2.0, 3.0].enumerated() {
            let n = 50_000
            let data = OrderStatistics(samples: SyntheticDistribution.pareto(alpha: alpha, xmin: 1).sample(count: n, seed: UInt64(10 + index)))
            let hill = HillEstimator.estimate(data, k: n - 1)
            let standardError = alpha / Double(n - 1).squareRoot()
            XCTAssertEqual(hill.alpha!, alpha, accuracy: 4 * standardError, "α = \(alpha)")
            XCTAssertTrue(hill.alphaInterval95.contains(alpha) || abs(hill.alpha! - alpha) < 3 * standardError)
        }
    }

    /// The exact Gamma interval has 95 % coverage under Pareto at any k:
    /// over 400 samples of n = 100 the coverage stays within 4 binomial standard
    /// errors (√(0.95·0.05/400) ≈ 0.011) of 0.95.
    func testHillExactIntervalHasNominalCoverage() {
        var covered = 0
        let replicates = 400
        for r in 0..<replicates {
            let data = OrderStatistics(samples: SyntheticDistribution.pareto(alpha: 1.7, xmin: 1).sample(count: 100, seed: UInt64(1000 + r)))
            if HillEstimator.estimate(data, k: 99).alphaInterval95.contains(1.7) { covered += 1 }
        }
        XCTAssertEqual(Double(covered) / Double(replicates), 0.95, accuracy: 4 * 0.0109)
    }

    /// Moments and Pickands on Pareto at k = n/8: standard errors
    /// √(1+γ²)/√k and Pickands' asymptotic formula, on γ.
    func testMomentsAndPickandsRecoverPareto() {
        let n = 100_000, k = n / 8
        let data = OrderStatistics(samples: SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: n, seed: 21))
        let gamma = 1 / 1.5
        let moments = MomentEstimator.estimate(data, k: k)!
        XCTAssertEqual(moments.gamma, gamma, accuracy: 4 * ((1 + gamma * gamma) / Double(k)).squareRoot())
        let pickands = PickandsEstimator.estimate(data, k: k)!
        XCTAssertEqual(pickands.gamma, gamma, accuracy: 4 * (PickandsEstimator.variance(gamma: gamma) / Double(k)).squareRoot())
    }

    /// The moment estimator sees through light tails: γ̂ ≈ 0 for exponential,
    /// γ̂ ≈ −1 for uniform (bounded) at k = n/20, within 4 standard errors plus
    /// the estimator's known second-order bias for these laws (≤ 0.05 here).
    func testMomentEstimatorOnLightTails() {
        let n = 100_000, k = n / 20
        let exponential = OrderStatistics(samples: SyntheticDistribution.exponential.sample(count: n, seed: 31))
        XCTAssertEqual(MomentEstimator.estimate(exponential, k: k)!.gamma, 0, accuracy: 4 * (1 / Double(k)).squareRoot() + 0.05)
        let random = RandomSource(seed: 32)
        let uniform = OrderStatistics(samples: (0..<n).map { _ in 1 + random.uniformPositive() })
        let g = -1.0
        XCTAssertEqual(MomentEstimator.estimate(uniform, k: k)!.gamma, g, accuracy: 4 * (MomentEstimator.variance(gamma: g) / Double(k)).squareRoot() + 0.05)
    }

    /// The kernel-type estimator: with the uniform kernel it is Hill at k = nh
    /// (to rounding); with the biweight it recovers Pareto and Student-t tails
    /// within 4 of its asymptotic standard errors γ·√(∫K²/k) (plus t's
    /// second-order bias, 0.05 on γ at k = n/50 for ν = 4).
    func testKernelEstimator() throws {
        let n = 100_000
        let pareto = OrderStatistics(samples: SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: n, seed: 23))
        for k in [10, 500, 20_000] {
            XCTAssertEqual(KernelEstimator.estimate(pareto, k: k, kernel: .uniform)!.gamma, HillEstimator.estimate(pareto, k: k).gamma, accuracy: 1e-10)
        }
        let gamma = 1 / 1.5, k = n / 10
        let biweight = try XCTUnwrap(KernelEstimator.estimate(pareto, k: k))
        XCTAssertEqual(biweight.gamma, gamma, accuracy: 4 * gamma * (10.0 / 7 / Double(k)).squareRoot())
        let t4 = OrderStatistics(samples: SyntheticDistribution.absoluteStudentT(nu: 4).sample(count: n, seed: 24))
        let kt = n / 50
        XCTAssertEqual(KernelEstimator.estimate(t4, k: kt)!.gamma, 0.25, accuracy: 4 * 0.25 * (10.0 / 7 / Double(kt)).squareRoot() + 0.05)
    }

    func testDoubleBootstrapIsSeededAndSensible() {
        let n = 100_000
        let pareto = OrderStatistics(samples: SyntheticDistribution.pareto(alpha: 1.5, xmin: 1).sample(count: n, seed: 41))
        let a = DoubleBootstrap(seed: 3).chooseK(pareto), b = DoubleBootstrap(seed: 3).chooseK(pareto)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.method, "double-bootstrap")
        // An exact Pareto has no bias, so the AMSE-optimal k is as large as possible.
        XCTAssertGreaterThan(a.k, n / 10)
        // Student t (ν = 3) has second-order bias; the chosen k balances it against
        // variance. At n = 1e5 the Hill bias at that k is about 10 % of α for t₃
        // (Hall's model with ρ = −2/ν), so Hill must land within 0.1·α + 4 SE.
        let t3 = OrderStatistics(samples: SyntheticDistribution.absoluteStudentT(nu: 3).sample(count: n, seed: 42))
        let choice = DoubleBootstrap(seed: 0).chooseK(t3)
        XCTAssertTrue((300...30_000).contains(choice.k), "k = \(choice.k)")
        let hill = HillEstimator.estimate(t3, k: choice.k).alpha!
        XCTAssertEqual(hill, 3, accuracy: 0.3 + 4 * 3 / Double(choice.k).squareRoot())
        // Tiny samples fall back to √n.
        XCTAssertEqual(DoubleBootstrap().chooseK(OrderStatistics(samples: (1...50).map(Double.init))).method, "sqrt(n)")
    }

    /// Mohammadi et al. on signed symmetric α-stable samples (n = 1e5, K2 = 316):
    /// its standard error here is about 0.03 (α²·SE(1/α), SE(1/α) ≈ 0.013 from
    /// 316 block log-sums); 4 SE ≈ 0.12.
    func testStableIndexRecoversAlphaAndRefusesNonNegativeInput() throws {
        for (index, alpha) in [1.2, 1.5, 1.8].enumerated() {
            let sample = SyntheticDistribution.stable(alpha: alpha).sample(count: 100_000, seed: UInt64(50 + index))
            XCTAssertEqual(try StableIndexEstimator.estimate(sample).alpha, alpha, accuracy: 0.12, "α = \(alpha)")
        }
        let absolute = SyntheticDistribution.absoluteStable(alpha: 1.5).sample(count: 1000, seed: 1)
        XCTAssertThrowsError(try StableIndexEstimator.estimate(absolute)) { error in
            XCTAssertEqual(error as? NoiseScopeError, StableIndexEstimator.unsignedSamples)
        }
    }
}
