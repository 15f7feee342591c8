import NoiseScopeCore
import XCTest
@testable import NoiseScopeStatistics

/// The bound on the reduced-bias correction (rule v6): α̂ may exceed plain
/// Hill's α at k* by at most 25 %. Power laws with a second-order term keep
/// well below it; a power law bent by a visible exponential cutoff, whose ρ̂
/// comes out near 0, does not, and loses the power-law verdict v5 gave it.
final class BiasCorrectionBoundTests: XCTestCase {
    func testEvidenceIsAlphaOverPlainHillAtKStar() throws {
        var checked = 0
        for seed in UInt64(0)..<6 {
            let samples = BatteryDistribution.synthetic(.frechet(alpha: 3)).sample(count: 20_000, random: RandomSource(seed: seed))
            let data = OrderStatistics(samples: samples)
            let evidence = TailVerdictRule().decide(data, n: samples.count).evidence
            guard let kStar = evidence.kStar, let alpha = evidence.alpha else { continue }
            let hillAlpha = 1 / data.logExcessMoments(k: kStar).first
            XCTAssertEqual(try XCTUnwrap(evidence.biasCorrection), alpha / hillAlpha, accuracy: 1e-12)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 3)
    }

    func testSecondOrderPowerLawsStayWellBelowTheBound() {
        let laws: [SyntheticDistribution] = [.absoluteStudentT(nu: 3), .absoluteStudentT(nu: 1.5), .frechet(alpha: 3), .logGamma(alpha: 3), .inverseGamma(alpha: 1.5)]
        var read = 0
        for (index, law) in laws.enumerated() {
            for seed in UInt64(0)..<4 {
                let samples = BatteryDistribution.synthetic(law).sample(count: 20_000, random: RandomSource(seed: 100 * UInt64(index) + seed))
                guard let correction = TailVerdictRule().decide(OrderStatistics(samples: samples), n: samples.count).evidence.biasCorrection else { continue }
                read += 1
                XCTAssertLessThan(correction, 1.2, "\(law), seed \(seed)")
            }
        }
        XCTAssertGreaterThanOrEqual(read, 16)
    }

    func testAVisibleCutoffLosesThePowerLawVerdict() {
        var without = TailVerdictRule()
        without.largestBiasCorrection = .infinity
        var refused = 0, heavyBefore = 0, heavyNow = 0
        for seed in UInt64(0)..<12 {
            let samples = BatteryDistribution.cutoffPowerLaw(alpha: 1.8, lambda: 10).sample(count: 100_000, random: RandomSource(seed: 500 + seed))
            let data = OrderStatistics(samples: samples)
            let before = without.decide(data, n: samples.count), now = TailVerdictRule().decide(data, n: samples.count)
            if before.verdict == .heavy { heavyBefore += 1 }
            if now.verdict == .heavy { heavyNow += 1 }
            if before.verdict != now.verdict {
                refused += 1
                XCTAssertEqual(now.verdict, .inconclusive)
                XCTAssertGreaterThan(now.evidence.biasCorrection ?? 0, 1.25)
                XCTAssertTrue(now.reason.contains("bias model"), now.reason)
            }
        }
        XCTAssertGreaterThanOrEqual(heavyBefore, 3)
        XCTAssertEqual(heavyNow, 0)
        XCTAssertEqual(refused, heavyBefore)
    }
}
